import { createHttpPipeline, type HttpPipeline, type HttpPipelineOptions, sendJson } from "../../http";
import { type AzureConnection, type AzureConnectionOptions, resolveConnection } from "./config";

/** Options every operation takes. */
export interface OperationOptions {
  abortSignal?: AbortSignal;
}

export interface AzureClientOptions extends AzureConnectionOptions {
  retry?: HttpPipelineOptions["retry"];
  maxConcurrency?: number;
  onTrace?: HttpPipelineOptions["onTrace"];
}

/**
 * Shared plumbing of the Azure clients: one pipeline for ARM (ARM scope) and one for Log Analytics (its own
 * scope), both the project's single outbound pipeline (`src/http`).
 */
export class AzureContext {
  readonly conn: AzureConnection;
  readonly arm: HttpPipeline;
  readonly logAnalytics: HttpPipeline;

  constructor(opts: AzureClientOptions = {}) {
    this.conn = resolveConnection(opts);
    const common = { credential: this.conn.credential, retry: opts.retry, maxConcurrency: opts.maxConcurrency ?? 6, ca: this.conn.ca, onTrace: opts.onTrace, userAgent: "clarion/0.1" };
    this.arm = createHttpPipeline({ ...common, scopes: this.conn.cloud.armScope });
    this.logAnalytics = createHttpPipeline({ ...common, scopes: this.conn.cloud.logAnalyticsScope });
  }

  /** Absolute ARM URL for a path and api-version (plus query parameters). */
  armUrl(path: string, apiVersion: string, query: Record<string, string | undefined> = {}): string {
    const u = new URL(this.conn.armEndpoint + (path.startsWith("/") ? path : `/${path}`));
    u.searchParams.set("api-version", apiVersion);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, v);
    return u.toString().replace(/%24/g, "$");
  }

  /**
   * Pages an ARM list: GET the first URL, then each absolute `nextLink` (or `@odata.nextLink`) verbatim.
   * `method: "POST"` for PolicyInsights, whose next pages are POSTed too.
   */
  async *list<T = Record<string, unknown>>(firstUrl: string, opts: OperationOptions & { method?: "GET" | "POST"; body?: unknown } = {}): AsyncIterable<T> {
    let url: string | undefined = firstUrl;
    const seen = new Set<string>();
    while (url) {
      if (seen.has(url)) break; // a service that repeats a nextLink must not loop forever
      seen.add(url);
      this.assertSameHost(url);
      const res: { body: ListPage<T> } = await sendJson<ListPage<T>>(this.arm, {
        method: opts.method ?? "GET",
        url,
        body: opts.body,
        abortSignal: opts.abortSignal,
      });
      for (const item of res.body?.value ?? []) yield item;
      url = res.body?.nextLink ?? res.body?.["@odata.nextLink"] ?? undefined;
    }
  }

  async get<T>(url: string, opts: OperationOptions = {}): Promise<T> {
    return (await sendJson<T>(this.arm, { method: "GET", url, abortSignal: opts.abortSignal })).body;
  }

  /** nextLinks must stay on the configured ARM host: the bearer token is never sent elsewhere. */
  private assertSameHost(url: string): void {
    if (new URL(url).host !== new URL(this.conn.armEndpoint).host)
      throw new Error(`refusing to follow a nextLink to another host (${new URL(url).host})`);
  }

  close(): void {
    this.arm.close();
    this.logAnalytics.close();
  }
}

type ListPage<T> = { value?: T[]; nextLink?: string | null; "@odata.nextLink"?: string | null };

/** Collects an async iterable (tests, small lists). */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
