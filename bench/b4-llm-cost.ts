/**
 * B4 — LLM cost: 1M findings over ~300 recommendation types against a local OpenAI-compatible endpoint
 * (test/llm/scripted-server.ts, which reports usage counted with gpt-tokenizer).
 *
 * Same run, three measurements:
 *  - naive: one call per finding with its whole dossier. Prompt tokens are counted with gpt-tokenizer for
 *    every one of the N findings (per-line memo; exactness checked on a sample); completion tokens from a
 *    sample of real naive calls to the same server.
 *  - grouped: Clarion's (pack, context class) narratives with slots, every group really asked, every finding
 *    really filled.
 *  - re-run: 2% of findings changed (application and environment), same store: only new classes are asked.
 * Targets: grouped <= 2% of naive tokens; re-run <= 5% of naive.
 *
 * Run: npx tsx bench/b4-llm-cost.ts [N=1000000] [types=300]
 */
import { countTokens } from "gpt-tokenizer";
import { memoryAiStore } from "../src/ai/ai-store";
import { type FindingLike, NarrativeEngine } from "../src/ai/narrative";
import { type NarrativePayload, narrativeMessages } from "../src/ai/prompts";
import { createProvider } from "../src/ai/provider";
import { createLlmRedactor } from "../src/ai/redact";
import { UsageMeter } from "../src/ai/usage";
import { ConfigSchema } from "../src/config/config";
import type { Pack } from "../src/packs/schema";
import { startScriptedServer } from "../test/llm/scripted-server";
import { apps, recTypes, syntheticFinding } from "./b4/synthetic";

const N = Number(process.argv[2] ?? 1_000_000);
const T = Number(process.argv[3] ?? 300);
const types = recTypes(T);
const appList = apps(60);
const packsById = new Map(types.map((t) => [t.packId, { meta: { id: t.packId, title: t.name }, explain: t.guidance } as unknown as Pack]));
const redact = createLlmRedactor();

// Naive prompt: the same system prompt, the whole dossier of one finding, one fact per line.
const SYSTEM = narrativeMessages({ task: "explain-finding-group", recommendation: "", facts: [], findings: 1 })[0].content;
const SYSTEM_TOKENS = countTokens(SYSTEM) + 4 + 3;
const memo = new Map<string, number>();
function lineTokens(line: string): number {
  let n = memo.get(line);
  if (n === undefined) {
    n = countTokens(line);
    if (memo.size > 300_000) memo.clear();
    memo.set(line, n);
  }
  return n;
}
function naivePayload(f: FindingLike): NarrativePayload {
  const pack = packsById.get(f.recommendation.packId ?? "");
  return {
    task: "explain-finding-group",
    recommendation: f.recommendation.name,
    guidance: pack?.explain,
    facts: (f.dossier ?? []).map((x) => ({ id: x.id, value: redact(x.value), source: redact(x.source) })),
    findings: 1,
  };
}
/** The naive call's user message: the finding's whole dossier as JSON, one fact per line. */
function naiveLines(f: FindingLike): string[] {
  const p = naivePayload(f);
  const head = JSON.stringify({ ...p, facts: undefined }).replace(/\}$/, ',"facts":[');
  return [head, ...p.facts.map((x, k) => JSON.stringify(x) + (k < p.facts.length - 1 ? "," : "")), "]}"];
}
const OPEN = "Write the explanation for this finding.\n<<<CLARION_DATA nonce=000000000000";
const CLOSE = "CLARION_DATA>>> nonce=000000000000";
function naiveUser(f: FindingLike): string {
  return [OPEN, ...naiveLines(f), CLOSE].join("\n");
}
/** Prompt tokens of the naive call for one finding: per-line memo (BPE chunks never cross a newline). */
function naivePromptTokens(f: FindingLike): number {
  const lines = [OPEN, ...naiveLines(f), CLOSE];
  let n = SYSTEM_TOKENS + 4;
  // A line's trailing newline can join its last chunk (`},\n`), so each line is counted with it.
  for (let k = 0; k < lines.length; k++) n += lineTokens(k < lines.length - 1 ? `${lines[k]}\n` : lines[k]);
  return n;
}

const mb = () => Math.round(process.memoryUsage().rss / 2 ** 20);

async function main() {
  const server = await startScriptedServer();
  const cfg = ConfigSchema.parse({
    llm: { provider: "openai-compatible", baseUrl: server.url, model: "scripted-b4", concurrency: 8, maxRetries: 2 },
  });
  const provider = createProvider(cfg.llm);
  const store = memoryAiStore();
  let peak = mb();

  // 1. naive, prompt side, all N findings
  let t = Date.now();
  let naivePrompt = 0;
  for (let i = 0; i < N; i++) {
    naivePrompt += naivePromptTokens(syntheticFinding(i, types, appList));
    if (i % 100_000 === 0) peak = Math.max(peak, mb());
  }
  const naiveCountMs = Date.now() - t;
  // exactness of the per-line count, and real naive calls on a sample
  const SAMPLE = Math.min(400, N);
  let maxErr = 0;
  let sampleCompletion = 0;
  let samplePromptServer = 0;
  let samplePromptLocal = 0;
  const sampleIdx = Array.from({ length: SAMPLE }, (_, k) => Math.floor((k * N) / SAMPLE));
  for (const i of sampleIdx) {
    const f = syntheticFinding(i, types, appList);
    const local = naivePromptTokens(f);
    const exact = SYSTEM_TOKENS + 4 + countTokens(naiveUser(f));
    maxErr = Math.max(maxErr, Math.abs(local - exact) / exact);
    const res = await provider.complete({
      messages: [
        { role: "system", content: SYSTEM },
        { role: "user", content: naiveUser(f) },
      ],
    });
    if (res.completionTokens < 50) throw new Error(`naive sample call got no narrative: ${res.text.slice(0, 200)}`);
    samplePromptServer += res.promptTokens;
    samplePromptLocal += local;
    sampleCompletion += res.completionTokens;
  }
  const naiveCompletion = Math.round((sampleCompletion / SAMPLE) * N);
  const naiveTotal = naivePrompt + naiveCompletion;

  // 2. grouped, first run
  const run = async (variant: number) => {
    const meter = new UsageMeter(cfg.llm, provider.kind, provider.model);
    const engine = new NarrativeEngine({
      provider,
      meter,
      store,
      redact,
      packsById,
      concurrency: 8,
      maxOutputTokens: cfg.llm.maxOutputTokens,
    });
    const t0 = Date.now();
    for (let i = 0; i < N; i++) engine.plan(syntheticFinding(i, types, appList, variant));
    const tPlan = Date.now() - t0;
    await engine.resolveAll();
    const tAsk = Date.now() - t0 - tPlan;
    let model = 0;
    let fallback = 0;
    for (let i = 0; i < N; i++) {
      const r = engine.fill(syntheticFinding(i, types, appList, variant));
      if (r.model) model++;
      else fallback++;
      if (i % 100_000 === 0) peak = Math.max(peak, mb());
    }
    const tFill = Date.now() - t0 - tPlan - tAsk;
    return { ...meter.report, groupsTotal: engine.groups.size, model, fallback, ms: { plan: tPlan, ask: tAsk, fill: tFill } };
  };
  t = Date.now();
  const first = await run(0);
  const firstMs = Date.now() - t;
  t = Date.now();
  const rerun = await run(1);
  const rerunMs = Date.now() - t;
  await server.close();

  const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(3)}%`;
  const out = {
    findings: N,
    recommendationTypes: T,
    naive: {
      promptTokens: naivePrompt,
      completionTokens: naiveCompletion,
      totalTokens: naiveTotal,
      calls: N,
      countMs: naiveCountMs,
      sampleCalls: SAMPLE,
      sampleMaxLineCountError: maxErr,
      sampleServerVsLocalPrompt: samplePromptServer / samplePromptLocal,
    },
    grouped: {
      calls: first.calls,
      groups: first.groupsTotal,
      promptTokens: first.promptTokens,
      completionTokens: first.completionTokens,
      totalTokens: first.totalTokens,
      modelExplanations: first.model,
      fallbacks: first.fallback,
      ms: firstMs,
      phases: first.ms,
      ratio: pct(first.totalTokens, naiveTotal),
    },
    rerun: {
      changedFindings: "2%",
      calls: rerun.calls,
      cacheHits: rerun.cacheHits,
      groups: rerun.groupsTotal,
      totalTokens: rerun.totalTokens,
      modelExplanations: rerun.model,
      fallbacks: rerun.fallback,
      ms: rerunMs,
      ratioToNaive: pct(rerun.totalTokens, naiveTotal),
      ratioToFirstRun: pct(rerun.totalTokens, first.totalTokens),
    },
    peakRssMiB: peak,
    targets: {
      grouped: first.totalTokens <= 0.02 * naiveTotal ? "PASS (<= 2%)" : "FAIL (> 2%)",
      rerun: rerun.totalTokens <= 0.05 * naiveTotal ? "PASS (<= 5%)" : "FAIL (> 5%)",
    },
  };
  console.log(JSON.stringify(out, null, 2));
}

void main();
