import type { Command } from "commander";
import { NotFoundError } from "../../domain/errors";
import type { Finding } from "../../domain/finding";
import { toSentinelRow } from "../../delivery/sentinel-row";
import { DEFAULT_DB, openStore } from "../../store/open-store";
import { toOcsf } from "../../reports/ocsf";
import { toSarif } from "../../reports/sarif";
import { applyQuery, render } from "../output";

const COLUMNS = ["id", "risk", "level", "severity", "resource", "recommendation", "environment", "owner", "frameworks"];

export function findingRow(f: Finding): Record<string, unknown> {
  return {
    id: f.id,
    risk: f.risk.score,
    level: f.risk.level,
    severity: f.recommendation.severity,
    resource: f.resourceName,
    recommendation: f.recommendation.name,
    environment: f.environment,
    owner: f.owner.name,
    frameworks: [...new Set(f.controls.map((c) => c.framework))].length,
  };
}

export function register(program: Command): void {
  program
    .command("findings")
    .description("List stored findings, highest risk first")
    .option("--db <file>", "store", DEFAULT_DB)
    .option("-o, --output <format>", "table | json | csv | sarif | ocsf", "table")
    .option("--query <jmespath>", "JMESPath query over the JSON output")
    .option("--severity <s>", "High | Medium | Low")
    .option("--framework <id>", "framework id, e.g. nist-800-53-r5")
    .option("--owner <text>", "owner name or email contains")
    .option("--search <text>", "resource or recommendation name contains")
    .option("--limit <n>", "at most N findings")
    .action(async (o: { db: string; output: string; query?: string; severity?: string; framework?: string; owner?: string; search?: string; limit?: string }) => {
      const store = await openStore(o.db, { mustExist: true });
      try {
        const findings = await store.listFindings({ severity: o.severity, framework: o.framework, owner: o.owner, search: o.search, limit: o.limit ? Number(o.limit) : undefined });
        if (o.output === "sarif" || o.output === "ocsf") {
          const doc = o.output === "sarif" ? toSarif(findings) : toOcsf(findings);
          process.stdout.write(`${JSON.stringify(applyQuery(doc, o.query), null, 2)}\n`);
          return;
        }
        const data = o.output === "table" && !o.query ? findings.map(findingRow) : findings;
        process.stdout.write(render(data, { output: o.output, query: o.query }, o.output === "table" ? COLUMNS : undefined));
      } finally {
        await store.close();
      }
    });

  program
    .command("explain <id>")
    .description("Show one finding's explanation, cited facts, risk breakdown and remediation")
    .option("--db <file>", "store", DEFAULT_DB)
    .option("-o, --output <format>", "text | json | sentinel", "text")
    .action(async (id: string, o: { db: string; output: string }) => {
      const store = await openStore(o.db, { mustExist: true });
      try {
        const f = await store.getFinding(id);
        if (!f) throw new NotFoundError(`no finding ${id}`, { hint: "list ids with `clarion findings`" });
        if (o.output === "json") return void process.stdout.write(`${JSON.stringify(f, null, 2)}\n`);
        if (o.output === "sentinel") return void process.stdout.write(`${JSON.stringify(toSentinelRow(f, new Date().toISOString()), null, 2)}\n`);
        const e = f.explanation;
        const lines = [
          `${f.resourceName} — ${f.recommendation.name}`,
          `risk ${f.risk.score} (${f.risk.level}) · ${f.recommendation.severity} · ${f.environment} · owner ${f.owner.name} (${f.owner.source})`,
          "",
          e.summary,
          "",
          e.businessImpact,
          "",
          e.complianceImpact,
          "",
          `Action: ${e.recommendedAction ?? ""}`,
          "",
          "Why this rank:",
          ...f.risk.factors.map((x) => `  ${x.name.padEnd(18)} +${String(x.points).padEnd(6)} ${x.reason}`),
          "",
          `Cited facts (${e.engine}, grounding ${e.grounding}):`,
          ...e.citations.map((c) => `  [${c.factId}] ${c.value} — ${c.source}`),
          "",
          ...f.remediation.flatMap((r) => [`--- ${r.kind}${r.title ? `: ${r.title}` : ""} ---`, r.content, "rollback:", r.rollback, ""]),
        ];
        process.stdout.write(`${lines.join("\n")}\n`);
      } finally {
        await store.close();
      }
    });
}
