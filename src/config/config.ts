import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { InputError } from "../domain/errors";

/**
 * Clarion's typed configuration: a JSON file (`clarion.config.json` in the working folder, `CLARION_CONFIG`, or
 * `--config FILE`) overlaid by environment variables (`CLARION_*`), validated with zod. The default is fully
 * offline: no model, no network.
 *
 * @example
 * const cfg = loadConfig();                 // ./clarion.config.json + process.env
 * cfg.llm.provider                          // "offline" | "openai-compatible" | "azure-openai"
 */
export const LlmProviderKind = z.enum(["offline", "openai-compatible", "azure-openai"]);
export type LlmProviderKind = z.infer<typeof LlmProviderKind>;

export const RedactionSchema = z.strictObject({
  /** Master switch; when false nothing is masked (only for local models you trust with the data). */
  enabled: z.boolean().default(true),
  secrets: z.boolean().default(true),
  connectionStrings: z.boolean().default(true),
  sasTokens: z.boolean().default(true),
  passwords: z.boolean().default(true),
  emails: z.boolean().default(true),
  /** Extra regular expressions (source strings) whose matches are masked. */
  patterns: z.array(z.string()).default([]),
});

export const LlmSchema = z.strictObject({
  provider: LlmProviderKind.default("offline"),
  /** OpenAI-compatible base URL (…/v1), or the Azure OpenAI endpoint (https://NAME.openai.azure.com). */
  baseUrl: z.string().url().optional(),
  model: z.string().min(1).optional(),
  /** Secret: from the environment preferably; never written to logs or the audit trail. */
  apiKey: z.string().optional(),
  /** Azure OpenAI: API version and deployment (defaults to the model name). */
  apiVersion: z.string().default("2024-10-21"),
  deployment: z.string().optional(),
  /** Azure OpenAI: use Entra ID (DefaultAzureCredential) instead of an API key. */
  useEntraId: z.boolean().default(false),
  timeoutMs: z.number().int().positive().default(60_000),
  maxRetries: z.number().int().min(0).max(10).default(3),
  /** Longest server-requested wait honored (Retry-After, x-ratelimit-reset-*). */
  maxRetryAfterMs: z.number().int().positive().default(120_000),
  concurrency: z.number().int().min(1).max(64).default(4),
  temperature: z.number().min(0).max(2).default(0),
  maxOutputTokens: z.number().int().positive().default(700),
  /** Price per 1,000 tokens (for cost accounting; 0 for local models). */
  pricePer1kInput: z.number().min(0).default(0),
  pricePer1kOutput: z.number().min(0).default(0),
  /** Token budget per run; when spent, remaining groups fall back to the offline engine. 0 = unlimited. */
  budgetTokensPerRun: z.number().int().min(0).default(0),
  /** Cost budget per run (same currency as prices); 0 = unlimited. */
  budgetCostPerRun: z.number().min(0).default(0),
  /** Alert when a run uses more than this multiple of the previous run's tokens. */
  spikeFactor: z.number().min(1).default(3),
  /** Use the content-hash cache (store) so a re-run asks only for what changed. */
  cache: z.boolean().default(true),
  redaction: RedactionSchema.default(RedactionSchema.parse({})),
});

export const ConfigSchema = z.strictObject({
  llm: LlmSchema.default(LlmSchema.parse({})),
  /** Folder of Markdown playbooks retrieved (BM25) and cited as `playbook.<file>#<chunk>`. */
  playbooksDir: z.string().optional(),
});
export type ClarionConfig = z.infer<typeof ConfigSchema>;
export type LlmConfig = z.infer<typeof LlmSchema>;
export type RedactionConfig = z.infer<typeof RedactionSchema>;

export interface LoadConfigOptions {
  /** `--config FILE`; else `CLARION_CONFIG`; else `./clarion.config.json` when present. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Command-line overrides, applied last (e.g. `{llm: {provider: "offline"}}`). */
  overrides?: { llm?: Partial<LlmConfig>; playbooksDir?: string };
}

const num = (v: string | undefined, field: string): number | undefined => {
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InputError(`${field} must be a number, got '${v}'`, { field });
  return n;
};
const bool = (v: string | undefined, field: string): boolean | undefined => {
  if (v === undefined || v === "") return undefined;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new InputError(`${field} must be true or false, got '${v}'`, { field });
};

/** The `CLARION_*` environment variables, as a partial config. */
export function configFromEnv(env: NodeJS.ProcessEnv): { llm: Record<string, unknown>; playbooksDir?: string } {
  const llm: Record<string, unknown> = {
    provider: env.CLARION_LLM_PROVIDER || undefined,
    baseUrl: env.CLARION_LLM_BASE_URL || undefined,
    model: env.CLARION_LLM_MODEL || undefined,
    apiKey: env.CLARION_LLM_API_KEY || undefined,
    apiVersion: env.CLARION_LLM_API_VERSION || undefined,
    deployment: env.CLARION_LLM_DEPLOYMENT || undefined,
    useEntraId: bool(env.CLARION_LLM_USE_ENTRA_ID, "CLARION_LLM_USE_ENTRA_ID"),
    timeoutMs: num(env.CLARION_LLM_TIMEOUT_MS, "CLARION_LLM_TIMEOUT_MS"),
    maxRetries: num(env.CLARION_LLM_MAX_RETRIES, "CLARION_LLM_MAX_RETRIES"),
    concurrency: num(env.CLARION_LLM_CONCURRENCY, "CLARION_LLM_CONCURRENCY"),
    budgetTokensPerRun: num(env.CLARION_LLM_BUDGET_TOKENS, "CLARION_LLM_BUDGET_TOKENS"),
    budgetCostPerRun: num(env.CLARION_LLM_BUDGET_COST, "CLARION_LLM_BUDGET_COST"),
    pricePer1kInput: num(env.CLARION_LLM_PRICE_INPUT_PER_1K, "CLARION_LLM_PRICE_INPUT_PER_1K"),
    pricePer1kOutput: num(env.CLARION_LLM_PRICE_OUTPUT_PER_1K, "CLARION_LLM_PRICE_OUTPUT_PER_1K"),
    spikeFactor: num(env.CLARION_LLM_SPIKE_FACTOR, "CLARION_LLM_SPIKE_FACTOR"),
    cache: bool(env.CLARION_LLM_CACHE, "CLARION_LLM_CACHE"),
  };
  const redactionEnabled = bool(env.CLARION_REDACT, "CLARION_REDACT");
  const redactEmails = bool(env.CLARION_REDACT_EMAILS, "CLARION_REDACT_EMAILS");
  if (redactionEnabled !== undefined || redactEmails !== undefined) llm.redaction = { enabled: redactionEnabled, emails: redactEmails };
  for (const k of Object.keys(llm)) if (llm[k] === undefined) delete llm[k];
  return { llm, playbooksDir: env.CLARION_PLAYBOOKS_DIR || undefined };
}

function readFileConfig(file: string, required: boolean): Record<string, unknown> {
  if (!existsSync(file)) {
    if (required) throw new InputError(`config file not found`, { file });
    return {};
  }
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new InputError(`not valid JSON: ${(e as Error).message}`, { file });
  }
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) continue;
    const prev = out[k];
    out[k] =
      v && typeof v === "object" && !Array.isArray(v) && prev && typeof prev === "object" && !Array.isArray(prev)
        ? merge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/** Loads and validates the configuration (file, then environment, then overrides). Throws InputError naming the field. */
export function loadConfig(opts: LoadConfigOptions = {}): ClarionConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const explicit = opts.file ?? env.CLARION_CONFIG;
  const file = resolve(cwd, explicit ?? "clarion.config.json");
  const fromFile = readFileConfig(file, !!explicit);
  const fromEnv = configFromEnv(env);
  const merged = merge(merge(fromFile, fromEnv as Record<string, unknown>), (opts.overrides ?? {}) as Record<string, unknown>);
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join(".");
    throw new InputError(issue.message, { file: existsSync(file) ? file : undefined, field: field || undefined });
  }
  const cfg = parsed.data;
  if (cfg.llm.provider !== "offline") {
    if (!cfg.llm.baseUrl)
      throw new InputError(`provider ${cfg.llm.provider} needs a base URL`, { field: "llm.baseUrl" }, { hint: "set CLARION_LLM_BASE_URL" });
    if (!cfg.llm.model && !cfg.llm.deployment)
      throw new InputError(`provider ${cfg.llm.provider} needs a model`, { field: "llm.model" }, { hint: "set CLARION_LLM_MODEL" });
  }
  if (cfg.playbooksDir) cfg.playbooksDir = resolve(cwd, cfg.playbooksDir);
  return cfg;
}

/** The config with secrets masked, safe to print or audit. */
export function describeConfig(cfg: ClarionConfig): Record<string, unknown> {
  return { ...cfg, llm: { ...cfg.llm, apiKey: cfg.llm.apiKey ? "***" : undefined } };
}
