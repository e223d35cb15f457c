import type { PipelinePolicy, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { isRestError } from "@azure/core-rest-pipeline";

export interface RetryOptions {
  /** Retries after the first attempt (default 6). */
  maxRetries?: number;
  /** Base of the exponential backoff (default 800 ms). */
  baseDelayMs?: number;
  /** Cap of the exponential backoff (default 30 s). */
  maxDelayMs?: number;
  /** Cap on a server-requested wait (Retry-After, quota reset); default 5 min. */
  maxRetryAfterMs?: number;
  /** Wait when a 429 carries no hint at all (default 5 s, per ARM guidance). */
  default429DelayMs?: number;
  /** Per-attempt timeout; an attempt that exceeds it is aborted and retried (default 60 s; 0 = none). */
  timeoutMs?: number;
  /** Status codes that are retried (default 408, 429, 500, 502, 503, 504). */
  statusCodes?: number[];
  /** Methods that are retried (default all; drop POST for non-idempotent targets without an idempotency key). */
  methods?: string[];
  /** For tests: replaces the random jitter source. */
  random?: () => number;
}

export const RETRY_DEFAULTS: Required<Omit<RetryOptions, "random" | "methods">> = {
  maxRetries: 6,
  baseDelayMs: 800,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 300_000,
  default429DelayMs: 5_000,
  timeoutMs: 60_000,
  statusCodes: [408, 429, 500, 502, 503, 504],
};

/** Error raised when an attempt runs past its per-attempt timeout (and no retry is left). */
export class AttemptTimeoutError extends Error {
  readonly code = "ATTEMPT_TIMEOUT";
  constructor(ms: number) {
    super(`request attempt timed out after ${ms} ms`);
    this.name = "AttemptTimeoutError";
  }
}

/** Parses `hh:mm:ss` (ARG `x-ms-user-quota-resets-after`) or `d.hh:mm:ss` into ms. */
export function parseTimeSpan(v: string | undefined): number | undefined {
  if (!v) return undefined;
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(v.trim());
  if (!m) return undefined;
  const [, d, h, mi, s, frac] = m;
  return (
    ((Number(d ?? 0) * 24 + Number(h)) * 60 + Number(mi)) * 60_000 +
    Number(s) * 1000 +
    (frac ? Math.round(Number(`0.${frac}`) * 1000) : 0)
  );
}

/**
 * The wait a response asks for, in ms: `retry-after-ms` / `x-ms-retry-after-ms`, `Retry-After` (seconds or an
 * HTTP date), and for a throttled Resource Graph call `x-ms-user-quota-resets-after`. Undefined when absent.
 */
export function serverRequestedDelay(res: PipelineResponse, now = Date.now()): number | undefined {
  const h = res.headers;
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const v = h.get(name);
    if (v && Number.isFinite(Number(v))) return Math.max(0, Number(v));
  }
  const ra = h.get("retry-after");
  if (ra) {
    if (/^\s*\d+(\.\d+)?\s*$/.test(ra)) return Math.max(0, Number(ra) * 1000);
    const t = Date.parse(ra);
    if (Number.isFinite(t)) return Math.max(0, t - now);
  }
  if (res.status === 429 || h.get("x-ms-user-quota-remaining") === "0") {
    const q = parseTimeSpan(h.get("x-ms-user-quota-resets-after"));
    if (q !== undefined) return q;
  }
  return undefined;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError(signal));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function abortError(signal?: AbortSignal): Error {
  const reason = signal?.reason;
  if (reason instanceof Error) return reason;
  const e = new Error("The operation was aborted.");
  e.name = "AbortError";
  return e;
}

function isTransientNetworkError(e: unknown): boolean {
  if (isRestError(e)) return e.code === "REQUEST_SEND_ERROR" || e.statusCode === undefined;
  const code = (e as { code?: string })?.code;
  return typeof code === "string" && /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|UND_ERR_SOCKET)$/.test(code);
}

export interface RetryEvent {
  attempt: number;
  delayMs: number;
  reason: string;
  url: string;
  method: string;
}

/**
 * Retry policy: retries throttling (429, honoring Retry-After and Resource Graph quota headers), 408/5xx,
 * per-attempt timeouts and transient network errors, with exponential backoff and full jitter. The caller's
 * abort signal always wins: an aborted call is never retried.
 */
export function clarionRetryPolicy(opts: RetryOptions = {}, onRetry?: (e: RetryEvent) => void): PipelinePolicy {
  const o = { ...RETRY_DEFAULTS, ...opts };
  const random = opts.random ?? Math.random;
  const methods = opts.methods?.map((m) => m.toUpperCase());
  const statuses = new Set(o.statusCodes);
  const backoff = (attempt: number) => {
    const cap = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** attempt);
    return Math.round(cap / 2 + (random() * cap) / 2);
  };
  return {
    name: "clarionRetryPolicy",
    async sendRequest(request: PipelineRequest, next): Promise<PipelineResponse> {
      const callerSignal = request.abortSignal as AbortSignal | undefined;
      const retryable = !methods || methods.includes(request.method.toUpperCase());
      for (let attempt = 0; ; attempt++) {
        if (callerSignal?.aborted) throw abortError(callerSignal);
        const ctl = new AbortController();
        let timedOut = false;
        const timer =
          o.timeoutMs > 0
            ? setTimeout(() => {
                timedOut = true;
                ctl.abort();
              }, o.timeoutMs)
            : undefined;
        const onCallerAbort = () => ctl.abort(callerSignal?.reason);
        callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
        request.abortSignal = ctl.signal;
        let response: PipelineResponse | undefined;
        let error: unknown;
        try {
          response = await next(request);
        } catch (e) {
          error = e;
        } finally {
          if (timer) clearTimeout(timer);
          callerSignal?.removeEventListener("abort", onCallerAbort);
          request.abortSignal = callerSignal;
        }
        if (callerSignal?.aborted) throw abortError(callerSignal);
        const last = !retryable || attempt >= o.maxRetries;
        let delay: number;
        let reason: string;
        if (error !== undefined) {
          if (timedOut) {
            if (last) throw new AttemptTimeoutError(o.timeoutMs);
            reason = "timeout";
          } else if (isTransientNetworkError(error)) {
            if (last) throw error;
            reason = `network:${(error as { code?: string }).code ?? "error"}`;
          } else throw error;
          delay = backoff(attempt);
        } else {
          const res = response as PipelineResponse;
          if (!statuses.has(res.status) || last) return res;
          const asked = serverRequestedDelay(res);
          reason = `status:${res.status}`;
          if (asked !== undefined) delay = Math.min(asked, o.maxRetryAfterMs) + Math.round(random() * Math.min(1000, asked * 0.1 + 50));
          else delay = res.status === 429 ? o.default429DelayMs : backoff(attempt);
        }
        onRetry?.({ attempt: attempt + 1, delayMs: delay, reason, url: request.url, method: request.method });
        await sleep(delay, callerSignal);
      }
    },
  };
}
