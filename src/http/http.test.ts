import { createHttpHeaders, type HttpClient, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { createHttpPipeline, HttpError, sendJson, type TraceEvent } from "./pipeline";
import { createRedactor, redactHeaders } from "./redact";
import { parseTimeSpan, serverRequestedDelay } from "./retry";

type Reply = { status: number; headers?: Record<string, string>; body?: unknown } | "hang" | "reset";

/** A scripted in-process network: answers in order, records what it saw. */
function scripted(replies: Reply[]) {
  const seen: { req: PipelineRequest; at: number; auth?: string }[] = [];
  const client: HttpClient = {
    async sendRequest(req) {
      seen.push({ req, at: Date.now(), auth: req.headers.get("authorization") });
      const r = replies.shift() ?? { status: 200, body: {} };
      if (r === "reset") throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
      if (r === "hang")
        return new Promise<PipelineResponse>((_, reject) => {
          req.abortSignal?.addEventListener("abort", () => reject(Object.assign(new Error("aborted"), { name: "AbortError" })));
        });
      return { request: req, status: r.status, headers: createHttpHeaders(r.headers ?? {}), bodyAsText: r.body === undefined ? "" : JSON.stringify(r.body) };
    },
  };
  return { client, seen };
}

const cred = { getToken: async () => ({ token: "secret-token-123", expiresOnTimestamp: Date.now() + 3_600_000 }) };

describe("createHttpPipeline", () => {
  it("honors Retry-After on 429 and retries 5xx, then returns the answer", async () => {
    const { client, seen } = scripted([
      { status: 429, headers: { "retry-after": "1" }, body: { error: { code: "SubscriptionRequestsThrottled", message: "slow down" } } },
      { status: 503, body: { error: { code: "ServiceUnavailable", message: "x" } } },
      { status: 200, body: { ok: 1 } },
    ]);
    const http = createHttpPipeline({ httpClient: client, retry: { baseDelayMs: 5, maxDelayMs: 10, random: () => 0 } });
    const res = await sendJson<{ ok: number }>(http, { method: "GET", url: "https://example.test/a" });
    expect(res.body.ok).toBe(1);
    expect(seen).toHaveLength(3);
    expect(seen[1].at - seen[0].at).toBeGreaterThanOrEqual(990);
  });

  it("waits for the Resource Graph quota reset when a 429 has only quota headers", () => {
    const res = { status: 429, headers: createHttpHeaders({ "x-ms-user-quota-remaining": "0", "x-ms-user-quota-resets-after": "00:00:03" }) } as PipelineResponse;
    expect(serverRequestedDelay(res)).toBe(3000);
    expect(parseTimeSpan("1.02:00:00")).toBe(26 * 3_600_000);
    const dated = { status: 503, headers: createHttpHeaders({ "retry-after": new Date(Date.now() + 5000).toUTCString() }) } as PipelineResponse;
    expect(serverRequestedDelay(dated)).toBeGreaterThan(3000);
  });

  it("times out a hung attempt and retries it; network resets are retried too", async () => {
    const { client, seen } = scripted(["hang", "reset", { status: 200, body: { ok: 2 } }]);
    const http = createHttpPipeline({ httpClient: client, retry: { timeoutMs: 50, baseDelayMs: 1, maxDelayMs: 2 } });
    expect((await sendJson<{ ok: number }>(http, { method: "POST", url: "https://example.test/q", body: { a: 1 } })).body.ok).toBe(2);
    expect(seen).toHaveLength(3);
  });

  it("gives up after maxRetries with a typed, redacted error", async () => {
    const { client, seen } = scripted(Array.from({ length: 5 }, () => ({ status: 500, body: { error: { code: "InternalServerError", message: "token=abc leaked?sig=zzz" } } })));
    const http = createHttpPipeline({ httpClient: client, credential: cred, scopes: "https://management.azure.com/.default", retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    const err = await sendJson(http, { method: "GET", url: "https://example.test/x?sig=SECRET&api-version=1" }).catch((e) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err.statusCode).toBe(500);
    expect(err.serviceCode).toBe("InternalServerError");
    expect(err.message).not.toContain("SECRET");
    expect(err.message).not.toContain("zzz");
    expect(seen).toHaveLength(3);
    expect(seen[0].auth).toBe("Bearer secret-token-123");
  });

  it("does not retry a 400 and never retries after the caller aborts", async () => {
    const { client, seen } = scripted([{ status: 400, body: { error: { code: "BadRequest", message: "no" } } }]);
    const http = createHttpPipeline({ httpClient: client });
    await expect(sendJson(http, { method: "GET", url: "https://example.test/" })).rejects.toMatchObject({ statusCode: 400, serviceCode: "BadRequest" });
    expect(seen).toHaveLength(1);

    const hang = scripted(["hang", "hang", "hang"]);
    const http2 = createHttpPipeline({ httpClient: hang.client, retry: { timeoutMs: 10_000 } });
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 30);
    await expect(sendJson(http2, { method: "GET", url: "https://example.test/", abortSignal: ctl.signal })).rejects.toThrow();
    expect(hang.seen).toHaveLength(1);
  });

  it("limits concurrency", async () => {
    let active = 0;
    let peak = 0;
    const client: HttpClient = {
      async sendRequest(req) {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 10));
        active--;
        return { request: req, status: 200, headers: createHttpHeaders(), bodyAsText: "{}" };
      },
    };
    const http = createHttpPipeline({ httpClient: client, maxConcurrency: 3 });
    await Promise.all(Array.from({ length: 12 }, () => sendJson(http, { method: "GET", url: "https://example.test/" })));
    expect(peak).toBe(3);
  });

  it("traces every attempt with request ids and without secrets", async () => {
    const { client } = scripted([{ status: 503, headers: { "x-ms-request-id": "r1" } }, { status: 200, headers: { "x-ms-request-id": "r2" }, body: {} }]);
    const events: TraceEvent[] = [];
    const http = createHttpPipeline({ httpClient: client, credential: cred, scopes: "s/.default", retry: { baseDelayMs: 1, maxDelayMs: 2 }, onTrace: (e) => events.push(e) });
    await sendJson(http, { method: "GET", url: "https://example.test/p?client_secret=hunter2" });
    expect(events.map((e) => e.kind)).toEqual(["response", "retry", "response"]);
    expect(events[2].requestId).toBe("r2");
    expect(events[0].clientRequestId).toBeTruthy();
    expect(JSON.stringify(events)).not.toContain("hunter2");
    expect(JSON.stringify(events)).not.toContain("secret-token-123");
  });
});

describe("redaction", () => {
  it("hides tokens, secrets in URLs, JSON and connection strings", () => {
    const r = createRedactor({ jsonKeys: ["webhookUrl"] });
    const s = r(
      `Authorization: Bearer abc.def-123 url=https://x/?sig=S1&sv=2020&a=1 {"client_secret":"C1","webhookUrl":"https://hooks/W1","name":"ok"} AccountKey=K1; eyJhbGciOi.eyJzdWIiOiIx.c2ln`,
    );
    for (const secret of ["abc.def-123", "S1", "C1", "W1", "K1", "eyJhbGciOi"]) expect(s).not.toContain(secret);
    expect(s).toContain('"name":"ok"');
    expect(s).toContain("a=1");
    expect(redactHeaders({ Authorization: "Bearer x", "x-ms-request-id": "id" })).toEqual({ Authorization: "***", "x-ms-request-id": "id" });
  });
});
