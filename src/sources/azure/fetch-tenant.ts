import type { ArmResource } from "../../domain/resource";
import type { RawTenant } from "../raw";
import { listActivityLog } from "./activity-log";
import { AzureContext, type AzureClientOptions, type OperationOptions } from "./client";
import { listAlerts } from "./defender";
import { type AzureScope, queryResourceGraph } from "./resource-graph";

/** The Resource Graph queries Clarion runs (all `order by id asc` for stable paging). */
export const TENANT_QUERIES = {
  resources: "resources | order by id asc",
  resourceContainers: "resourcecontainers | order by id asc",
  securityResources: "securityresources | order by id asc",
  authorizationResources: "authorizationresources | order by id asc",
} as const;

export interface FetchTenantOptions extends AzureClientOptions, OperationOptions {
  scope?: AzureScope;
  /** Activity Log window (default: the last 90 days, the service's retention). */
  activityFrom?: Date | string;
  activityTo?: Date | string;
  /** Reuse an existing context (its connection options win). */
  context?: AzureContext;
}

const byId = (a: { id?: unknown }, b: { id?: unknown }) => (String(a.id).toLowerCase() < String(b.id).toLowerCase() ? -1 : 1);

function dedupe<T extends { id?: unknown }>(rows: T[]): T[] {
  const seen = new Map<string, T>();
  for (const r of rows) seen.set(String(r.id).toLowerCase(), r);
  return [...seen.values()].sort(byId);
}

/** Subscriptions of a scope: the listed ones, or those Resource Graph shows as containers. */
export function subscriptionsOf(scope: AzureScope | undefined, containers: ArmResource[]): string[] {
  if (scope?.subscriptions?.length) return [...scope.subscriptions];
  return containers.filter((c) => c.type.toLowerCase() === "microsoft.resources/subscriptions").map((c) => String(c.subscriptionId || c.name));
}

/**
 * Reads a whole tenant (or scope) through the live APIs into a `RawTenant`, the same shape the demo generator
 * and file imports produce: ARG tables, Activity Log events, Defender alerts. Arrays are sorted by id.
 */
export async function fetchTenant(options: FetchTenantOptions = {}): Promise<RawTenant> {
  const ctx = options.context ?? new AzureContext(options);
  try {
    const q = async (query: string) => {
      const rows: ArmResource[] = [];
      for await (const r of queryResourceGraph<ArmResource>(ctx, query, { scope: options.scope, abortSignal: options.abortSignal })) rows.push(r);
      return dedupe(rows);
    };
    const resources = await q(TENANT_QUERIES.resources);
    const resourceContainers = await q(TENANT_QUERIES.resourceContainers);
    const securityResources = await q(TENANT_QUERIES.securityResources);
    const authorizationResources = await q(TENANT_QUERIES.authorizationResources);
    const subs = subscriptionsOf(options.scope, resourceContainers);
    const to = options.activityTo ?? new Date();
    const from = options.activityFrom ?? new Date(Date.now() - 90 * 86_400_000);
    const activityLog: Record<string, unknown>[] = [];
    const alerts: Record<string, unknown>[] = [];
    for (const s of subs) {
      for await (const e of listActivityLog(ctx, s, { from, to, abortSignal: options.abortSignal })) activityLog.push(e);
      for await (const a of listAlerts(ctx, s, { abortSignal: options.abortSignal })) alerts.push(a);
    }
    const tenantId =
      String(resourceContainers.find((c) => c.tenantId)?.tenantId ?? resources.find((r) => r.tenantId)?.tenantId ?? "") || "";
    return {
      tenantId,
      resources,
      resourceContainers,
      securityResources,
      authorizationResources,
      activityLog: dedupe(activityLog),
      alerts: dedupe(alerts),
    };
  } finally {
    if (!options.context) ctx.close();
  }
}
