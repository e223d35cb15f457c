import { createHash } from "node:crypto";
import { randomUUID } from "node:crypto";
import { Agent as HttpsAgent } from "node:https";
import { createSecureContext, rootCertificates, type SecureContext } from "node:tls";
import type { TokenCredential } from "@azure/core-auth";
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type HttpMethods,
  type Pipeline,
  type PipelinePolicy,
  type PipelineRequest,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import { ExternalServiceError } from "../domain/errors";
import { createRedactor, type RedactOptions, type Redactor } from "./redact";
import { AttemptTimeoutError, clarionRetryPolicy, type RetryEvent, type RetryOptions } from "./retry";
import { type ThrottleOptions, throttlePolicy } from "./throttle";

/** One attempt as seen on the wire (after auth), for logs and tests. Nothing secret is in it. */
export interface TraceEvent {
  kind: "response" | "error" | "retry";
  method: string;
  /** Redacted URL. */
  url: string;
  status?: number;
  durationMs?: number;
  clientRequestId?: string;
  /** `x-ms-request-id` (or the service's equivalent) of the response. */
  requestId?: string;
  error?: string;
  retry?: Omit<RetryEvent, "url" | "method">;
}

export interface HttpPipelineOptions {
  /** Signs requests with a bearer token for `scopes` (HTTPS only). */
  credential?: TokenCredential;
  scopes?: string | string[];
  /** Retry settings, or `false` for none. */
  retry?: RetryOptions | false;
  /** Requests in flight at once (default 8). */
  maxConcurrency?: number;
  throttle?: Omit<ThrottleOptions, "maxConcurrency">;
  /** Redaction rules (added to the defaults) or a redactor function. */
  redact?: RedactOptions | Redactor;
  /** Extra trusted CA certificate(s) in PEM (e.g. the local simulator's self-signed certificate). */
  ca?: string | Buffer | (string | Buffer)[];
  userAgent?: string;
  /** Called for every attempt, retry and failure; receives redacted data only. */
  onTrace?: (e: TraceEvent) => void;
  /** Replaces the network (tests). */
  httpClient?: HttpClient;
}

/** The outbound pipeline every Clarion integration shares (Azure, LLM, ticketing, chat). */
export interface HttpPipeline {
  readonly pipeline: Pipeline;
  readonly redact: Redactor;
  send(request: PipelineRequest): Promise<PipelineResponse>;
  /** Frees keep-alive sockets. */
  close(): void;
}

/**
 * An HTTP failure after retries. `statusCode` is undefined for network errors and timeouts; `serviceCode` is
 * the service's own error code (ARM `error.code`). The message is redacted.
 */
export class HttpError extends ExternalServiceError {
  readonly serviceCode?: string;
  readonly requestId?: string;
  readonly method: string;
  readonly url: string;
  readonly body?: unknown;
  constructor(
    message: string,
    init: { statusCode?: number; serviceCode?: string; requestId?: string; method: string; url: string; body?: unknown; hint?: string; cause?: unknown },
  ) {
    super(message, init.statusCode, { hint: init.hint, cause: init.cause });
    this.serviceCode = init.serviceCode;
    this.requestId = init.requestId;
    this.method = init.method;
    this.url = init.url;
    this.body = init.body;
  }
}

export function isHttpError(e: unknown): e is HttpError {
  return e instanceof HttpError;
}

function requestIdOf(res: PipelineResponse): string | undefined {
  return res.headers.get("x-ms-request-id") ?? res.headers.get("x-request-id") ?? res.headers.get("request-id") ?? undefined;
}

/**
 * Builds the pipeline: client request id → retry (Retry-After, quota headers, backoff, per-attempt timeout) →
 * throttle (concurrency, quota gate) → bearer auth → trace → TLS agent → network.
 * @example
 * const http = createHttpPipeline({ credential, scopes: "https://management.azure.com/.default" });
 * const { body } = await sendJson(http, { method: "GET", url });
 */
export function createHttpPipeline(options: HttpPipelineOptions = {}): HttpPipeline {
  const r: Redactor = typeof options.redact === "function" ? options.redact : createRedactor(options.redact ?? {});
  const trace = options.onTrace;
  const pipeline = createEmptyPipeline();
  const agent = new HttpsAgent({ keepAlive: true, maxSockets: Math.max(8, options.maxConcurrency ?? 8), secureContext: secureContextFor(options.ca) });

  const requestIdPolicy: PipelinePolicy = {
    name: "clarionRequestId",
    sendRequest(req, next) {
      if (!req.headers.has("x-ms-client-request-id")) req.headers.set("x-ms-client-request-id", req.requestId || randomUUID());
      req.headers.set("x-ms-return-client-request-id", "true");
      if (options.userAgent) req.headers.set("user-agent", options.userAgent);
      return next(req);
    },
  };
  pipeline.addPolicy(requestIdPolicy);
  if (options.retry !== false)
    pipeline.addPolicy(
      clarionRetryPolicy(options.retry ?? {}, (e) =>
        trace?.({ kind: "retry", method: e.method, url: r(e.url), retry: { attempt: e.attempt, delayMs: e.delayMs, reason: e.reason } }),
      ),
      { phase: "Retry" },
    );
  pipeline.addPolicy(throttlePolicy({ ...options.throttle, maxConcurrency: options.maxConcurrency }), { phase: "Retry" });
  if (options.credential) {
    const scopes = Array.isArray(options.scopes) ? options.scopes : options.scopes ? [options.scopes] : [];
    pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential: options.credential, scopes }), { phase: "Sign" });
  }
  const wire: PipelinePolicy = {
    name: "clarionTraceAndAgent",
    async sendRequest(req, next) {
      if (!req.agent && req.url.startsWith("https:")) req.agent = agent;
      const t0 = performance.now();
      const clientRequestId = req.headers.get("x-ms-client-request-id");
      try {
        const res = await next(req);
        trace?.({
          kind: "response",
          method: req.method,
          url: r(req.url),
          status: res.status,
          durationMs: performance.now() - t0,
          clientRequestId,
          requestId: requestIdOf(res),
        });
        return res;
      } catch (e) {
        trace?.({ kind: "error", method: req.method, url: r(req.url), durationMs: performance.now() - t0, clientRequestId, error: r(String((e as Error)?.message ?? e)) });
        throw e;
      }
    },
  };
  pipeline.addPolicy(wire, { phase: "Sign", afterPolicies: options.credential ? ["bearerTokenAuthenticationPolicy"] : [] });
  const httpClient = options.httpClient ?? createDefaultHttpClient();
  return {
    pipeline,
    redact: r,
    send: (request) => pipeline.sendRequest(httpClient, request),
    close: () => agent.destroy(),
  };
}

const secureContexts = new Map<string, SecureContext>();

/**
 * One TLS context per distinct extra CA, built once: an explicit CA extends, never replaces, the system roots.
 * (Passing `ca` to the agent instead re-parses ~140 root certificates on every new connection.)
 */
function secureContextFor(ca: HttpPipelineOptions["ca"]): SecureContext | undefined {
  if (!ca) return undefined;
  const extra = (Array.isArray(ca) ? ca : [ca]).map((c) => c.toString());
  const key = createHash("sha256").update(extra.join("\n")).digest("hex");
  let ctx = secureContexts.get(key);
  if (!ctx) {
    ctx = createSecureContext({ ca: [...extra, ...rootCertificates] });
    secureContexts.set(key, ctx);
  }
  return ctx;
}

export interface SendJsonOptions {
  method: HttpMethods;
  url: string;
  /** JSON-serialized unless it is already a string. */
  body?: unknown;
  headers?: Record<string, string>;
  abortSignal?: AbortSignal;
  /** Statuses returned instead of thrown (e.g. 404 for "absent"). */
  acceptStatus?: number[];
}

export interface JsonResponse<T> {
  status: number;
  headers: Record<string, string>;
  body: T;
  requestId?: string;
}

/**
 * Sends one JSON request through the pipeline and parses the JSON answer. Non-2xx answers (after retries)
 * throw `HttpError` with the service's error code and a redacted message.
 */
export async function sendJson<T = unknown>(http: HttpPipeline, opts: SendJsonOptions): Promise<JsonResponse<T>> {
  const headers = createHttpHeaders({ accept: "application/json", ...(opts.headers ?? {}) });
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  const request = createPipelineRequest({ url: opts.url, method: opts.method, headers, body, abortSignal: opts.abortSignal });
  const safeUrl = http.redact(opts.url);
  let res: PipelineResponse;
  try {
    res = await http.send(request);
  } catch (e) {
    if ((e as Error)?.name === "AbortError" || opts.abortSignal?.aborted) throw e;
    const timeout = e instanceof AttemptTimeoutError;
    throw new HttpError(`${opts.method} ${safeUrl} failed: ${http.redact(String((e as Error)?.message ?? e))}`, {
      method: opts.method,
      url: safeUrl,
      hint: timeout ? "the service did not answer in time; retry later or raise the timeout" : "check network access to the endpoint",
    });
  }
  const text = res.bodyAsText ?? "";
  let parsed: unknown;
  if (text.length > 0) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  const ok = (res.status >= 200 && res.status < 300) || (opts.acceptStatus ?? []).includes(res.status);
  if (!ok) {
    const err = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
    const flat = parsed as { code?: string; message?: string } | undefined;
    const serviceCode = err?.code ?? (typeof flat === "object" ? flat?.code : undefined);
    const serviceMessage = err?.message ?? (typeof flat === "object" ? flat?.message : typeof parsed === "string" ? parsed.slice(0, 300) : undefined);
    throw new HttpError(
      http.redact(`${opts.method} ${safeUrl} failed: ${res.status}${serviceCode ? ` ${serviceCode}` : ""}${serviceMessage ? `: ${serviceMessage}` : ""}`),
      {
        statusCode: res.status,
        serviceCode,
        requestId: requestIdOf(res),
        method: opts.method,
        url: safeUrl,
        body: parsed,
        hint: hintFor(res.status),
      },
    );
  }
  return { status: res.status, headers: res.headers.toJSON(), body: parsed as T, requestId: requestIdOf(res) };
}

function hintFor(status: number): string | undefined {
  if (status === 401) return "sign in again (`az login`) or check the token's audience/scope";
  if (status === 403) return "the identity lacks a role on this scope; see docs/permissions.md";
  if (status === 429) return "throttled beyond the retry budget; retry later or narrow the scope";
  if (status >= 500) return "the service failed; retry later";
  return undefined;
}
