import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { frameworkCatalog } from "../compliance/catalog";
import type { Finding } from "../domain/finding";
import { SENTINEL_TABLE, toSentinelRow } from "../delivery/sentinel-row";
import { explainStage } from "../ai/explain-stage";
import { loadComplianceInput, withExemptions } from "../compliance/context";
import { analyzeGaps, renderGapsMarkdown } from "../compliance/gaps";
import { validatePolicy } from "../policy/index";
import { correlate, renderCorrelationHtml } from "../compliance/correlate";
import { recordAssessments } from "../compliance/persist";
import { loadAllPacks } from "../packs/loader";
import { PackRegistry } from "../packs/registry";
import { renderHtmlReport } from "../reports/html";
import { renderMarkdownReport } from "../reports/markdown";
import { type RunSummary, summarize } from "../reports/summary";
import { META_SUBASSESSMENTS } from "../store/stored-extras";
import type { Store } from "../store/store";
import { EstateIndex } from "./context";
import { type EnrichPorts, enrichFindings } from "./enrich";
import { type IngestReport, type NormalizedTenant, Normalizer, type RawRow } from "./normalize";
import { loadSideAnalyses } from "./side-analyses";

export type ProgressFn = (stage: string, done: number, total: number) => void;

export interface RunOptions {
  /** Label for reports and the run record (e.g. `demo seed 42`, file names). */
  source: string;
  rows: Iterable<RawRow> | AsyncIterable<RawRow>;
  /** Rows that could not be read at all (malformed lines), counted in ingest. */
  unreadable?: { origin: RawRow["origin"]; reason: string }[];
  outDir: string;
  store: Store;
  now?: Date;
  actor?: string;
  onProgress?: ProgressFn;
  cmdb?: Map<string, string>;
}

export interface RunResult {
  runId: string;
  summary: RunSummary;
  findings: Finding[];
  tenant: NormalizedTenant;
  ingest: IngestReport;
  outputs: Record<string, string>;
}

export const OUTPUT_FILES = {
  findings: "findings.json",
  summary: "summary.json",
  html: "report.html",
  markdown: "report.md",
  sentinel: `sentinel/${SENTINEL_TABLE}.ndjson`,
  audit: "audit.jsonl",
} as const;

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** The whole pipeline: ingest → normalize → correlate → dossier → prioritize → explain → remediate → deliver. */
export async function runPipeline(opts: RunOptions): Promise<RunResult> {
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  const lap = (name: string, since: number) => {
    timings[name] = Date.now() - since;
    return Date.now();
  };
  const progress = opts.onProgress ?? (() => {});
  const now = opts.now ?? new Date();
  const runId = `run-${now.toISOString().replace(/[-:.TZ]/g, "").slice(0, 14)}-${randomUUID().slice(0, 6)}`;
  const actor = opts.actor ?? process.env.CLARION_ACTOR ?? "clarion";
  const startedAt = new Date().toISOString();

  // ingest + normalize
  let t = Date.now();
  const normalizer = new Normalizer();
  for (const u of opts.unreadable ?? []) normalizer.rejectUnreadable(u.origin, u.reason);
  let n = 0;
  for await (const row of opts.rows as AsyncIterable<RawRow>) {
    normalizer.add(row);
    if (++n % 5000 === 0) progress("ingest", n, 0);
  }
  progress("ingest", n, n);
  const tenant = normalizer.tenant;
  t = lap("ingest", t);

  // correlate: indexes + side analyses (graph, changes, KEV) when their modules are present
  const index = new EstateIndex(tenant);
  const { packs, errors: packErrors } = await loadAllPacks();
  const registry = new PackRegistry(packs);
  const side = await loadSideAnalyses(tenant, now, (stage) => progress(stage, 0, 1));
  const ports: EnrichPorts = { packs: registry, frameworks: frameworkCatalog(), now, cmdb: opts.cmdb, ...side.ports };
  t = lap("correlate", t);

  // dossier → prioritize → explain → remediate
  progress("enrich", 0, tenant.assessments.length);
  const enriched = enrichFindings(index, ports);
  const unmatched = enriched.unmatched;
  progress("enrich", tenant.assessments.length, tenant.assessments.length);
  t = lap("enrich", t);
  const explained = await explainStage({ findings: enriched.findings, packsById: new Map(packs.map((p) => [p.meta.id, p])), store: opts.store, now, onProgress: (d, n) => progress("explain", d, n) });
  const findings = await withExemptions(opts.store, explained.findings, now);
  t = lap("explain", t);

  // deliver
  mkdirSync(join(opts.outDir, "sentinel"), { recursive: true });
  const statusCount = (s: string) => tenant.assessments.filter((a) => a.status === s).length;
  const summary = summarize(findings, normalizer.report, {
    runId,
    generatedAt: now.toISOString(),
    source: opts.source,
    counts: {
      resources: tenant.resources.length,
      assessments: tenant.assessments.length,
      unhealthy: statusCount("Unhealthy"),
      healthy: statusCount("Healthy"),
      notApplicable: statusCount("NotApplicable"),
      findings: findings.length,
      recommendationTypes: new Set(findings.map((f) => f.recommendation.id)).size,
      withPack: findings.length - unmatched,
      generic: unmatched,
    },
    secureScore: tenant.secureScores.map((s) => ({ subscriptionId: s.subscriptionId, name: index.subscription(s.subscriptionId)?.name ?? s.subscriptionId, current: s.current, max: s.max, percentage: s.percentage })),
    timingsMs: timings,
  });
  if (explained.usage) (summary as RunSummary & { llm?: unknown }).llm = explained.usage;
  const outputs: Record<string, string> = {};
  const write = (key: keyof typeof OUTPUT_FILES, content: string) => {
    const file = join(opts.outDir, OUTPUT_FILES[key]);
    writeFileSync(file, content);
    outputs[key] = file;
    return sha256(content);
  };
  const digests: Record<string, string> = {};
  digests.findings = write("findings", `${JSON.stringify(findings, null, 1)}\n`);
  digests.sentinel = write("sentinel", findings.map((f) => JSON.stringify(toSentinelRow(f, now.toISOString()))).join("\n") + (findings.length ? "\n" : ""));
  digests.markdown = write("markdown", renderMarkdownReport(summary, findings));
  digests.html = write("html", renderHtmlReport(summary, findings, { extraSections: [...side.htmlSections, renderCorrelationHtml(correlate(findings))] }));
  summary.timingsMs.deliver = Date.now() - t;
  summary.timingsMs.total = Date.now() - t0;
  digests.summary = write("summary", `${JSON.stringify({ ...summary, packErrors }, null, 2)}\n`);

  // store + audit: one event per generated output, one per explanation and remediation draft
  progress("store", 0, 1);
  await opts.store.replaceResources(tenant.resources);
  await opts.store.replaceFindings(findings);
  await opts.store.replaceActivity(tenant.activity);
  await opts.store.replaceAlerts(tenant.alerts);
  await opts.store.setMeta(META_SUBASSESSMENTS, JSON.stringify(tenant.subAssessments));
  await opts.store.setMeta("assessmentCounts", JSON.stringify(summary.counts));
  await recordAssessments(opts.store, tenant.assessments);
  const time = new Date().toISOString();
  const events = [
    { time, actor, action: "run.started", subject: runId, digest: sha256(opts.source), details: { source: opts.source, startedAt } },
    ...findings.flatMap((f) => [
      { time, actor, action: "explanation.generated", subject: f.id, digest: sha256(JSON.stringify(f.explanation)), details: { engine: f.explanation.engine, model: f.explanation.model, grounding: f.explanation.grounding, citations: f.explanation.citations.length } },
      ...(f.remediation.length ? [{ time, actor, action: "remediation.drafted", subject: f.id, digest: sha256(JSON.stringify(f.remediation)), details: { kinds: f.remediation.map((r) => r.kind), status: "draft" } }] : []),
    ]),
    ...Object.entries(digests).map(([k, digest]) => ({ time, actor, action: "output.written", subject: OUTPUT_FILES[k as keyof typeof OUTPUT_FILES], digest, details: { runId } })),
    { time, actor, action: "run.finished", subject: runId, digest: digests.summary, details: { findings: findings.length, ingest: summary.ingest } },
  ];
  await opts.store.appendAudit(events);
  // policies/ and compliance/: one validated Azure Policy draft per pack, and a gap analysis per framework.
  const extraOutputs = await writePolicyAndComplianceOutputs(opts.outDir, findings, opts.store, now);
  await opts.store.appendAudit(extraOutputs.map((o) => ({ time, actor, action: "output.written", subject: o.file, digest: o.digest, details: { runId } })));
  const chain = await opts.store.listAudit();
  writeFileSync(join(opts.outDir, OUTPUT_FILES.audit), chain.map((e) => JSON.stringify(e)).join("\n") + "\n");
  outputs.audit = join(opts.outDir, OUTPUT_FILES.audit);
  await opts.store.saveRun({ id: runId, startedAt, finishedAt: new Date().toISOString(), source: opts.source, summary });
  progress("store", 1, 1);
  return { runId, summary, findings, tenant, ingest: normalizer.report, outputs };
}

/**
 * `policies/`: the Azure Policy draft of every pack with findings, validated by the policy engine, and `policies-index.json`
 * (pack, file, findings it addresses, validity). `compliance/`: the gap analysis of every framework as Markdown
 * and JSON. Returns what it wrote with digests for the audit trail.
 */
async function writePolicyAndComplianceOutputs(outDir: string, findings: Finding[], store: Store, now: Date): Promise<{ file: string; digest: string }[]> {
  const written: { file: string; digest: string }[] = [];
  const put = (rel: string, content: string) => {
    writeFileSync(join(outDir, rel), content);
    written.push({ file: rel, digest: sha256(content) });
  };
  mkdirSync(join(outDir, "policies"), { recursive: true });
  const byPack = new Map<string, { content: string; findings: number }>();
  for (const f of findings) {
    const draft = f.remediation.find((r) => r.kind === "azure-policy");
    const pack = f.recommendation.packId;
    if (!draft || !pack) continue;
    const entry = byPack.get(pack) ?? { content: draft.content, findings: 0 };
    entry.findings++;
    byPack.set(pack, entry);
  }
  const index = [];
  for (const [pack, { content, findings: count }] of [...byPack].sort(([a], [b]) => a.localeCompare(b))) {
    let valid = false;
    let errors: string[] = [];
    try {
      const v = validatePolicy(JSON.parse(content));
      valid = v.valid;
      errors = v.errors.map((e) => `${e.pointer}: ${e.message}`);
    } catch (e) {
      errors = [(e as Error).message];
    }
    put(`policies/${pack}.json`, content.endsWith("\n") ? content : `${content}\n`);
    index.push({ pack, file: `policies/${pack}.json`, findings: count, valid, errors });
  }
  put("policies-index.json", `${JSON.stringify(index, null, 2)}\n`);

  mkdirSync(join(outDir, "compliance"), { recursive: true });
  const catalog = frameworkCatalog();
  const input = await loadComplianceInput(store, now);
  for (const fw of catalog.frameworks) {
    const report = analyzeGaps(catalog, fw.id, input);
    put(`compliance/${fw.id}.md`, renderGapsMarkdown(report));
    put(`compliance/${fw.id}.json`, `${JSON.stringify(report, null, 1)}\n`);
  }
  return written;
}
