import pc from "./colors";
import type { RunResult } from "../pipeline/run";
import { renderTable } from "./output";

/** The short summary printed after `demo` and `run`: top 10 risks, counts by severity and framework. */
export function printRunSummary(result: RunResult, outDir: string, opts: { json?: boolean } = {}): void {
  const s = result.summary;
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
    return;
  }
  const out: string[] = [];
  out.push("");
  out.push(pc.bold(`Clarion: ${s.counts.findings} unhealthy findings on ${s.counts.resources} resources (${s.counts.recommendationTypes} recommendation types) in ${(s.timingsMs.total / 1000).toFixed(1)} s`));
  out.push(`ingest: ${s.ingest.read} read, ${s.ingest.accepted} accepted, ${s.ingest.rejected} rejected${s.ingest.rejected ? ` (${Object.entries(s.ingest.byReason).map(([k, v]) => `${k}: ${v}`).join(", ")})` : ""}`);
  out.push("");
  out.push(pc.bold("Top 10 findings by risk"));
  out.push(
    renderTable(
      s.topRisks.map((t, i) => ({ "#": i + 1, risk: `${t.score} ${t.level}`, resource: t.resourceName, recommendation: t.recommendation, owner: t.owner, id: t.id })),
    ).trimEnd(),
  );
  out.push("");
  out.push(`${pc.bold("By severity:")} ${Object.entries(s.bySeverity).map(([k, v]) => `${k} ${v}`).join(" · ")}`);
  out.push(`${pc.bold("By risk:")} ${Object.entries(s.byRiskLevel).map(([k, v]) => `${k} ${v}`).join(" · ")}`);
  out.push(`${pc.bold("By framework:")} ${Object.entries(s.byFramework).map(([k, v]) => `${k} ${v}`).join(" · ")}`);
  out.push("");
  out.push(`Outputs in ${outDir}: findings.json, summary.json, report.html, report.md, policies/, compliance/, sentinel/, audit.jsonl, clarion.db`);
  process.stdout.write(`${out.join("\n")}\n`);
}
