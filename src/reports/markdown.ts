import type { Finding } from "../domain/finding";
import type { RunSummary } from "./summary";

/** Escapes text for a Markdown table cell or paragraph (attacker-controlled values stay data). */
export function md(s: string): string {
  return s.replace(/[\\`*_{}[\]<>|#]/g, (c) => `\\${c}`).replace(/\r?\n/g, " ");
}

export function renderMarkdownReport(summary: RunSummary, findings: Finding[], opts: { top?: number } = {}): string {
  const top = findings.slice(0, opts.top ?? 25);
  const lines: string[] = [];
  lines.push("# Clarion posture report", "");
  lines.push(`Generated ${summary.generatedAt} from ${md(summary.source)} (run ${summary.runId}).`, "");
  lines.push("## At a glance", "");
  lines.push(`- ${summary.counts.resources} resources, ${summary.counts.assessments} assessments, **${summary.counts.findings} unhealthy findings** across ${summary.counts.recommendationTypes} recommendation types.`);
  lines.push(`- Risk: ${Object.entries(summary.byRiskLevel).map(([k, v]) => `${v} ${k}`).join(", ")}.`);
  lines.push(`- Severity: ${Object.entries(summary.bySeverity).map(([k, v]) => `${v} ${k}`).join(", ")}.`);
  lines.push(`- Ingest: ${summary.ingest.read} rows read, ${summary.ingest.accepted} accepted, ${summary.ingest.rejected} rejected.`);
  if (summary.secureScore.length) {
    lines.push("", "## Secure Score", "", "| Subscription | Score | Max | % |", "|---|---:|---:|---:|");
    for (const s of summary.secureScore) lines.push(`| ${md(s.name)} | ${s.current} | ${s.max} | ${Math.round(s.percentage * 100)}% |`);
  }
  lines.push("", "## Findings by framework", "", "| Framework | Findings |", "|---|---:|");
  for (const [fw, n] of Object.entries(summary.byFramework)) lines.push(`| ${md(fw)} | ${n} |`);
  lines.push("", `## Top ${top.length} findings by risk`, "", "| # | Risk | Resource | Recommendation | Environment | Owner |", "|---:|---:|---|---|---|---|");
  top.forEach((f, i) => lines.push(`| ${i + 1} | ${f.risk.score} (${f.risk.level}) | ${md(f.resourceName)} | ${md(f.recommendation.name)} | ${f.environment} | ${md(f.owner.name)} |`));
  lines.push("");
  for (const f of top.slice(0, 10)) {
    lines.push(`### ${md(f.resourceName)}: ${md(f.recommendation.name)}`, "");
    lines.push(`Finding \`${f.id}\` · risk ${f.risk.score} (${f.risk.level}) · owner ${md(f.owner.name)} (${f.owner.source})`, "");
    lines.push(md(f.explanation.summary), "", md(f.explanation.businessImpact), "", md(f.explanation.complianceImpact), "");
    if (f.explanation.recommendedAction) lines.push(`**Action:** ${md(f.explanation.recommendedAction)}`, "");
    lines.push("Why this rank: " + f.risk.factors.filter((x) => x.points > 0).sort((a, b) => b.points - a.points).slice(0, 4).map((x) => `${x.name} +${x.points} (${md(x.reason)})`).join("; "), "");
    const cli = f.remediation.find((r) => r.kind === "az-cli");
    if (cli) lines.push("```bash", cli.content, "# rollback:", cli.rollback, "```", "");
  }
  return `${lines.join("\n")}\n`;
}
