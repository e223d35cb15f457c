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
  /** Request the next page while the caller handles the current one (default false). */
  prefetch?: boolean;
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
 * query used `limit`/`take`) is reported, never silently taken as complete. With `prefetch`, the next page is
 * requested as soon as a page arrives, while the caller handles it: still one request on the wire at a time,
 * but the caller's work and the service's answer overlap.
 */
export async function* queryResourceGraphPages<T = Record<string, unknown>>(
  ctx: AzureContext,
  query: string,
  opts: ResourceGraphQueryOptions = {},
): AsyncIterable<ResourceGraphPage<T>> {
  const batches = subscriptionBatches(opts.scope, opts.batchSize ?? 300);
  const url = ctx.armUrl("/providers/Microsoft.ResourceGraph/resources", ARG_API_VERSION);
  const fetchPage = async (b: number, skipToken: string | undefined): Promise<ResourceGraphPage<T>> => {
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
    return {
      rows: res.body.data ?? [],
      skipToken: res.body.$skipToken || undefined,
      batch: b,
      totalRecords: Number(res.body.totalRecords ?? 0),
      resultTruncated: String(res.body.resultTruncated) === "true",
    };
  };
  /** The page after `page`: the same batch while a `$skipToken` comes back, then the next batch. */
  const after = (page: ResourceGraphPage<T>) =>
    page.skipToken ? fetchPage(page.batch, page.skipToken) : page.batch + 1 < batches.length ? fetchPage(page.batch + 1, undefined) : undefined;
  const first = opts.resume?.batch ?? 0;
  if (first >= batches.length) return;
  let next: Promise<ResourceGraphPage<T>> | undefined = fetchPage(first, opts.resume?.skipToken);
  while (next) {
    const page: ResourceGraphPage<T> = await next;
    if (opts.prefetch) {
      next = after(page);
      // Awaited on the next turn; if the caller stops first, its failure must not go unhandled.
      next?.catch(() => undefined);
      // Two turns of the event loop before the caller's (often synchronous) work: the first puts the request on
      // the wire, the second lets a server in this same process (the simulator) read it, so that its answer time
      // overlaps the caller's work as a remote service's does. Microseconds either way.
      if (next) for (let turn = 0; turn < 2; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
      yield page;
    } else {
      yield page;
      next = after(page);
    }
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
