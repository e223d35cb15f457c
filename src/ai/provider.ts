import { countTokens } from "gpt-tokenizer";
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, AzureOpenAI } from "openai";
import type { LlmConfig } from "../config/config";
import { ExternalServiceError, InputError } from "../domain/errors";
import { Semaphore, sleep } from "../http/index";
import type { ChatMessage } from "./prompts";

/**
 * Model providers behind one small interface. OpenAI-compatible servers (OpenAI, Ollama, vLLM, LM Studio,
 * llama.cpp) and Azure OpenAI (API key or Entra ID) go through the `openai` package with its own retries off:
 * Clarion retries 429/408/5xx, timeouts and dropped connections itself, honoring `retry-after-ms`,
 * `Retry-After` and the `x-ratelimit-reset-requests|tokens` headers, under a concurrency limit.
 */
export interface CompletionRequest {
  messages: ChatMessage[];
  maxTokens?: number;
  signal?: AbortSignal;
}

export interface CompletionResult {
  text: string;
  promptTokens: number;
  completionTokens: number;
  /** Where the token counts came from: the server's `usage`, or gpt-tokenizer when it sent none. */
  usageSource: "server" | "gpt-tokenizer";
  attempts: number;
  model: string;
}

export interface LlmProvider {
  readonly kind: "openai-compatible" | "azure-openai" | "scripted";
  readonly model: string;
  complete(req: CompletionRequest): Promise<CompletionResult>;
}

export function countMessageTokens(messages: ChatMessage[]): number {
  // gpt-tokenizer over the contents plus the chat format's few tokens per message.
  return messages.reduce((n, m) => n + countTokens(m.content) + 4, 3);
}

/** `1s`, `6m0s`, `20ms`, `0.5s`, `2h1m` (OpenAI `x-ratelimit-reset-*`) → ms. */
export function parseResetDuration(v: string | null | undefined): number | undefined {
  if (!v) return undefined;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let matched = "";
  for (const m of s.matchAll(re)) {
    const n = Number(m[1]);
    total += m[2] === "ms" ? n : m[2] === "s" ? n * 1000 : m[2] === "m" ? n * 60_000 : n * 3_600_000;
    matched += m[0];
  }
  return matched === s ? total : undefined;
}

/** The wait a throttled or failed response asks for, in ms (undefined when it names none). */
export function requestedDelay(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get("retry-after-ms") ?? headers.get("x-ms-retry-after-ms");
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = headers.get("retry-after");
  if (ra) {
    if (/^\s*\d+(\.\d+)?\s*$/.test(ra)) return Math.max(0, Number(ra) * 1000);
    const t = Date.parse(ra);
    if (Number.isFinite(t)) return Math.max(0, t - now);
  }
  const resets = [headers.get("x-ratelimit-reset-requests"), headers.get("x-ratelimit-reset-tokens")]
    .map(parseResetDuration)
    .filter((x): x is number => x !== undefined);
  const remaining = [headers.get("x-ratelimit-remaining-requests"), headers.get("x-ratelimit-remaining-tokens")];
  if (resets.length && remaining.some((r) => r === "0")) return Math.max(...resets);
  if (resets.length) return Math.min(...resets);
  return undefined;
}

export interface ProviderOptions {
  /** For tests: a fetch to use instead of the global one. */
  fetch?: typeof fetch;
  /** Called before each retry (for logging and the audit of throttling). */
  onRetry?: (e: { attempt: number; delayMs: number; reason: string }) => void;
  random?: () => number;
}

export function createProvider(cfg: LlmConfig, opts: ProviderOptions = {}): LlmProvider {
  if (cfg.provider === "offline") throw new InputError("the offline engine has no model provider", { field: "llm.provider" });
  const model = cfg.model ?? cfg.deployment ?? "";
  let client: OpenAI;
  if (cfg.provider === "azure-openai") {
    const common = {
      endpoint: cfg.baseUrl,
      apiVersion: cfg.apiVersion,
      deployment: cfg.deployment ?? cfg.model,
      timeout: cfg.timeoutMs,
      maxRetries: 0,
      fetch: opts.fetch,
    };
    if (cfg.useEntraId || !cfg.apiKey) {
      const tokenProvider = lazyEntraTokenProvider();
      client = new AzureOpenAI({ ...common, azureADTokenProvider: tokenProvider });
    } else client = new AzureOpenAI({ ...common, apiKey: cfg.apiKey });
  } else {
    client = new OpenAI({
      baseURL: cfg.baseUrl,
      apiKey: cfg.apiKey ?? "not-needed",
      timeout: cfg.timeoutMs,
      maxRetries: 0,
      fetch: opts.fetch,
    });
  }
  const sem = new Semaphore(cfg.concurrency);
  const random = opts.random ?? Math.random;
  return {
    kind: cfg.provider,
    model,
    async complete(req) {
      const release = await sem.acquire(req.signal);
      try {
        for (let attempt = 1; ; attempt++) {
          try {
            const res = await client.chat.completions.create(
              {
                model,
                messages: req.messages,
                temperature: cfg.temperature,
                max_tokens: req.maxTokens ?? cfg.maxOutputTokens,
                response_format: { type: "json_object" },
              },
              { signal: req.signal },
            );
            const text = res.choices?.[0]?.message?.content ?? "";
            const usage = res.usage;
            return {
              text,
              promptTokens: usage?.prompt_tokens ?? countMessageTokens(req.messages),
              completionTokens: usage?.completion_tokens ?? countTokens(text),
              usageSource: usage ? "server" : "gpt-tokenizer",
              attempts: attempt,
              model: res.model || model,
            };
          } catch (e) {
            if (req.signal?.aborted) throw e;
            const retry = classify(e);
            if (!retry.retryable || attempt > cfg.maxRetries)
              throw new ExternalServiceError(`model call failed after ${attempt} attempt(s): ${retry.reason}`, retry.status, {
                cause: e,
                hint:
                  retry.status === 401 || retry.status === 403
                    ? "check CLARION_LLM_API_KEY or the Entra ID role (Cognitive Services OpenAI User)"
                    : undefined,
              });
            const asked = requestedDelay(retry.headers);
            const backoff = Math.min(30_000, 500 * 2 ** (attempt - 1)) * (0.5 + random() / 2);
            const delayMs = Math.min(cfg.maxRetryAfterMs, asked ?? (retry.status === 429 ? Math.max(1000, backoff) : backoff));
            opts.onRetry?.({ attempt, delayMs, reason: retry.reason });
            await sleep(delayMs, req.signal);
          }
        }
      } finally {
        release();
      }
    },
  };
}

function classify(e: unknown): { retryable: boolean; reason: string; status?: number; headers?: Headers } {
  if (e instanceof APIConnectionTimeoutError) return { retryable: true, reason: "timeout" };
  if (e instanceof APIConnectionError) return { retryable: true, reason: `connection: ${e.message}` };
  if (e instanceof APIError) {
    const status = e.status;
    const retryable = status === undefined || [408, 409, 429, 500, 502, 503, 504].includes(status);
    return { retryable, reason: `HTTP ${status ?? "?"}`, status, headers: e.headers as Headers | undefined };
  }
  return { retryable: false, reason: (e as Error)?.message ?? String(e) };
}

function lazyEntraTokenProvider(): () => Promise<string> {
  let provider: (() => Promise<string>) | undefined;
  return async () => {
    if (!provider) {
      const id = await import("@azure/identity");
      provider = id.getBearerTokenProvider(new id.DefaultAzureCredential(), "https://cognitiveservices.azure.com/.default");
    }
    return provider();
  };
}
