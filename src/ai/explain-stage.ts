import { type ClarionConfig, loadConfig } from "../config/config";
import type { Finding } from "../domain/finding";
import type { Pack } from "../packs/schema";
import type { Store } from "../store/store";
import { aiStoreFor } from "./ai-store";
import { type AuditSink, NarrativeEngine, sha256 } from "./narrative";
import { PlaybookIndex } from "./playbooks";
import { createProvider, type LlmProvider } from "./provider";
import { createLlmRedactor } from "./redact";
import { UsageMeter, type UsageReport } from "./usage";

/**
 * The explain stage's model hook. The offline engine has already written every explanation (in enrich);
 * when a model provider is configured, this stage may replace an explanation with the model's, but only
 * when it passes the same schema and grounding checks. With no provider it returns the findings unchanged.
 */
export interface ExplainStageInput {
  findings: Finding[];
  packsById: Map<string, Pack>;
  store: Store;
  now: Date;
  onProgress?: (done: number, total: number) => void;
  /** Defaults to `loadConfig()` (clarion.config.json / CLARION_CONFIG + CLARION_* environment). */
  config?: ClarionConfig;
  /** For tests: a provider to use instead of the configured one. */
  provider?: LlmProvider;
}

export interface ExplainStageResult {
  findings: Finding[];
  /** Token and cost accounting, when a model was used. */
  usage?: Record<string, unknown>;
}

export async function explainStage(input: ExplainStageInput): Promise<ExplainStageResult> {
  const cfg = input.config ?? loadConfig();
  if (cfg.llm.provider === "offline" && !input.provider) return { findings: input.findings };
  const provider = input.provider ?? createProvider(cfg.llm);
  const ai = aiStoreFor(input.store);
  const meter = new UsageMeter(cfg.llm, provider.kind, provider.model);
  const time = input.now.toISOString();
  const events: Parameters<Store["appendAudit"]>[0] = [];
  const audit: AuditSink = (e) => events.push({ time: new Date().toISOString(), actor: "clarion-ai", ...e });
  const engine = new NarrativeEngine({
    provider,
    meter,
    store: ai,
    useCache: cfg.llm.cache,
    redact: createLlmRedactor(cfg.llm.redaction),
    packsById: input.packsById,
    playbooks: cfg.playbooksDir ? PlaybookIndex.fromDir(cfg.playbooksDir) : undefined,
    estateNames: new Set(input.findings.map((f) => f.resourceName.toLowerCase())),
    audit,
    concurrency: cfg.llm.concurrency,
    maxOutputTokens: cfg.llm.maxOutputTokens,
  });
  const keys = input.findings.map((f) => engine.plan(f));
  await engine.resolveAll(input.onProgress);
  const findings = input.findings.map((f, i) => {
    meter.report.findings++;
    const r = engine.fill(f, keys[i]);
    if (!r.model) {
      meter.report.fallbacks++;
      return f;
    }
    meter.report.modelExplanations++;
    return { ...f, explanation: r.explanation, dossier: r.addFacts.length ? [...(f.dossier ?? []), ...r.addFacts] : f.dossier };
  });
  const previous = await ai.lastUsage(provider.kind);
  meter.checkSpike(previous?.promptTokens !== undefined ? previous.promptTokens + previous.completionTokens : undefined);
  const u: UsageReport = meter.report;
  await ai.addUsage({
    runTime: time,
    provider: u.provider,
    model: u.model,
    calls: u.calls,
    promptTokens: u.promptTokens,
    completionTokens: u.completionTokens,
    cost: u.cost,
    cacheHits: u.cacheHits,
  });
  for (const a of u.alerts) {
    events.push({
      time: new Date().toISOString(),
      actor: "clarion-ai",
      action: `llm.alert.${a.kind}`,
      subject: u.provider,
      digest: sha256(a.message),
      details: { message: a.message },
    });
    process.stderr.write(`warning: LLM ${a.kind} alert: ${a.message}\n`);
  }
  if (events.length) await input.store.appendAudit(events);
  return { findings, usage: { ...u } };
}
