import { sendJson } from "../../http";
import type { AzureContext, OperationOptions } from "./client";

export const ARG_API_VERSION = "2024-04-01";

/** Where a query or list runs: explicit subscriptions, one management group, or (neither) the whole tenant. */
export interface AzureScope {
  subscriptions?: string[];
  managementGroup?: string;
}

export interface ResourceGraphPage<T> {
  rows: T[];
  /** Token for the next page of this batch (absent on the last page). */
  skipToken?: string;
  /** Index of the subscription batch this page belongs to. */
  batch: number;
  totalRecords: number;
  resultTruncated: boolean;
}

export interface ResourceGraphQueryOptions extends OperationOptions {
  scope?: AzureScope;
  /** Rows per page, 1..1000 (default 1000). */
  pageSize?: number;
  /** Subscriptions per request when the scope lists many (default 300; the service accepts up to 1000). */
  batchSize?: number;
  /** Resume point: start at this batch with this `$skipToken`. */
  resume?: { batch: number; skipToken?: string };
}

/** Splits a subscription list into request batches. */
export function subscriptionBatches(scope: AzureScope | undefined, batchSize = 300): { subscriptions?: string[]; managementGroups?: string[] }[] {
  if (scope?.subscriptions?.length) {
    const out: { subscriptions: string[] }[] = [];
    for (let i = 0; i < scope.subscriptions.length; i += batchSize) out.push({ subscriptions: scope.subscriptions.slice(i, i + batchSize) });
    return out;
  }
  if (scope?.managementGroup) return [{ managementGroups: [scope.managementGroup] }];
  return [{}];
}

/**
 * Runs a Resource Graph query page by page. Paging follows ARG's own rule: the identical query and scope are
 * resent with `options.$skipToken` from the previous body until none comes back. A truncated result (the
 * query used `limit`/`take`) is reported, never silently taken as complete.
 */
export async function* queryResourceGraphPages<T = Record<string, unknown>>(
  ctx: AzureContext,
  query: string,
  opts: ResourceGraphQueryOptions = {},
): AsyncIterable<ResourceGraphPage<T>> {
  const batches = subscriptionBatches(opts.scope, opts.batchSize ?? 300);
  const url = ctx.armUrl("/providers/Microsoft.ResourceGraph/resources", ARG_API_VERSION);
  for (let b = opts.resume?.batch ?? 0; b < batches.length; b++) {
    let skipToken: string | undefined = b === opts.resume?.batch ? opts.resume.skipToken : undefined;
    do {
      const body = {
        query,
        ...batches[b],
        options: { $top: opts.pageSize ?? 1000, resultFormat: "objectArray", ...(skipToken ? { $skipToken: skipToken } : {}) },
      };
      const res = await sendJson<{ data: T[]; $skipToken?: string; totalRecords: number; resultTruncated: string }>(ctx.arm, {
        method: "POST",
        url,
        body,
        abortSignal: opts.abortSignal,
      });
      skipToken = res.body.$skipToken || undefined;
      yield {
        rows: res.body.data ?? [],
        skipToken,
        batch: b,
        totalRecords: Number(res.body.totalRecords ?? 0),
        resultTruncated: String(res.body.resultTruncated) === "true",
      };
    } while (skipToken);
  }
}

/** Rows of a Resource Graph query across all pages and batches. */
export async function* queryResourceGraph<T = Record<string, unknown>>(ctx: AzureContext, query: string, opts: ResourceGraphQueryOptions = {}): AsyncIterable<T> {
  for await (const page of queryResourceGraphPages<T>(ctx, query, opts)) yield* page.rows;
}

/** Quotes a string for KQL. */
export function kqlString(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}
