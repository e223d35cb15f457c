import { sendJson } from "../../http";
import type { AzureContext, OperationOptions } from "./client";

export interface LogAnalyticsTable {
  name: string;
  columns: { name: string; type: string }[];
  rows: unknown[][];
}

export interface LogAnalyticsResult {
  tables: LogAnalyticsTable[];
  /** A `PartialError` arrives with HTTP 200: kept as a warning. */
  error?: { code: string; message: string };
}

export interface LogAnalyticsQueryOptions extends OperationOptions {
  /** ISO-8601 duration (`P1D`) or `start/end`. */
  timespan?: string;
  /** Server wait in seconds (`Prefer: wait=N`). */
  waitSeconds?: number;
}

/** Runs a KQL query against a workspace (its GUID, the `customerId`). */
export async function queryLogAnalytics(ctx: AzureContext, workspaceId: string, query: string, opts: LogAnalyticsQueryOptions = {}): Promise<LogAnalyticsResult> {
  const res = await sendJson<LogAnalyticsResult>(ctx.logAnalytics, {
    method: "POST",
    url: `${ctx.conn.logAnalyticsEndpoint}/v1/workspaces/${encodeURIComponent(workspaceId)}/query`,
    body: { query, ...(opts.timespan ? { timespan: opts.timespan } : {}) },
    headers: opts.waitSeconds ? { prefer: `wait=${opts.waitSeconds}` } : {},
    abortSignal: opts.abortSignal,
  });
  return res.body;
}

/** Positional rows -> objects; `dynamic` cells (JSON strings) are parsed. */
export function tableToObjects(table: LogAnalyticsTable): Record<string, unknown>[] {
  return table.rows.map((row) => {
    const o: Record<string, unknown> = {};
    table.columns.forEach((c, i) => {
      let v = row[i];
      if (c.type === "dynamic" && typeof v === "string") {
        try {
          v = JSON.parse(v);
        } catch {
          /* keep the string */
        }
      }
      o[c.name] = v;
    });
    return o;
  });
}

const SENTINEL_TABLES = { recommendations: "SecurityRecommendation", alerts: "SecurityAlert", activity: "AzureActivity" } as const;

/** `SecurityRecommendation`, `SecurityAlert` or `AzureActivity` rows of the last `days` days, as objects. */
export async function querySentinelTable(
  ctx: AzureContext,
  workspaceId: string,
  table: keyof typeof SENTINEL_TABLES,
  opts: LogAnalyticsQueryOptions & { days?: number } = {},
): Promise<Record<string, unknown>[]> {
  const q = `${SENTINEL_TABLES[table]} | where TimeGenerated > ago(${Math.max(1, Math.floor(opts.days ?? 7))}d)`;
  const res = await queryLogAnalytics(ctx, workspaceId, q, opts);
  const primary = res.tables.find((t) => t.name === "PrimaryResult") ?? res.tables[0];
  return primary ? tableToObjects(primary) : [];
}
