import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import pc from "../colors";
import { recommendBaseline } from "../../compliance/baseline";
import { frameworkCatalog } from "../../compliance/catalog";
import { applyStoredExemptions, loadComplianceInput } from "../../compliance/context";
import { correlate } from "../../compliance/correlate";
import { buildEvidencePackage, verifyEvidencePackage } from "../../compliance/evidence";
import { createExemption, type Exemption, exemptionState, importAzureExemptions, postExemptionStatus } from "../../compliance/exemptions";
import { analyzeGaps, readDeclared, renderGapsHtml, renderGapsMarkdown, STATUS_LABEL, sortedControls } from "../../compliance/gaps";
import { deleteExemption, saveExemptions } from "../../compliance/persist";
import { ConflictError, InputError, NotFoundError } from "../../domain/errors";
import { DEFAULT_DB, openStore } from "../../store/open-store";
import type { Store } from "../../store/store";
import { render } from "../output";

const actor = () => process.env.CLARION_ACTOR ?? process.env.USER ?? "clarion";
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

async function withStore<T>(db: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(db, { mustExist: true });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function nowOpt(v?: string): Date {
  if (!v) return new Date();
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InputError(`--now must be a date, got '${v}'`, { field: "--now" });
  return new Date(t);
}

function days(v: string | undefined, field: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InputError(`${field} must be a number of days, got '${v}'`, { field });
  return n;
}

function requireFramework(id: string | undefined): string {
  const catalog = frameworkCatalog();
  if (!id)
    throw new InputError(
      "--framework is required",
      { field: "--framework" },
      { hint: `one of: ${catalog.frameworks.map((f) => f.id).join(", ")}` },
    );
  if (!catalog.get(id))
    throw new NotFoundError(`unknown framework '${id}'`, {
      hint: `one of: ${catalog.frameworks.map((f) => f.id).join(", ")} (clarion compliance frameworks)`,
    });
  return id;
}

function emit(text: string, out?: string): void {
  if (out) {
    writeFileSync(out, text);
    process.stderr.write(`wrote ${out}\n`);
  } else process.stdout.write(text);
}

export function register(program: Command): void {
  const c = program
    .command("compliance")
    .description("Frameworks, cross-framework correlation, gap analysis, exemptions, evidence packages, onboarding baselines");

  c.command("frameworks")
    .description("List the frameworks and their stable ids (every compliance command takes them)")
    .option("-o, --output <format>", "table | json | csv", "table")
    .option("--query <jmespath>", "JMESPath query over the JSON output")
    .action((o: { output: string; query?: string }) => {
      const catalog = frameworkCatalog();
      const rows = catalog.frameworks.map((f) => {
        const guids = Object.keys(f.policies);
        return {
          id: f.id,
          name: f.name,
          version: f.version,
          controls: f.controls.length,
          policies: guids.length,
          automatedPolicies: guids.filter((g) => (catalog.policy(g)?.kind ?? "automated") === "automated").length,
          initiative: f.initiative.displayName,
          initiativeId: f.initiative.id,
        };
      });
      process.stdout.write(render(rows, o, ["id", "name", "version", "controls", "policies", "automatedPolicies", "initiative"]));
    });

  c.command("correlate")
    .description("Rank misconfigurations by the controls one fix closes across frameworks")
    .option("--db <file>", "store", DEFAULT_DB)
    .option("--framework <ids>", "only these frameworks (comma-separated)")
    .option("--raw", "count exempted findings as open")
    .option("--top <n>", "at most N fixes", "20")
    .option("-o, --output <format>", "table | json | csv", "table")
    .option("--query <jmespath>", "JMESPath query over the JSON output")
    .option("--now <date>", "evaluate exemptions at this time (default now)")
    .action(async (o: { db: string; framework?: string; raw?: boolean; top: string; output: string; query?: string; now?: string }) =>
      withStore(o.db, async (store) => {
        const input = await loadComplianceInput(store, nowOpt(o.now));
        const frameworks = o.framework
          ?.split(",")
          .map((s) => s.trim())
          .filter(Boolean);
        for (const f of frameworks ?? []) requireFramework(f);
        const fixes = correlate(input.findings, { frameworks, raw: o.raw }).slice(0, Number(o.top) || 20);
        const rows =
          o.output === "table" && !o.query
            ? fixes.map((f) => ({
                rank: f.rank,
                closes: f.closes.length,
                frameworks: f.families.length,
                touches: f.touches.length,
                resources: f.resources.length,
                severity: f.severity,
                recommendation: f.recommendation,
                headline: f.headline,
              }))
            : fixes;
        process.stdout.write(render(rows, o));
      }),
    );

  c.command("gaps")
    .description(
      "Gap analysis of one framework: per control passed / failed / not assessed / manual, with evidence and the policy that closes the gap",
    )
    .option("--db <file>", "store", DEFAULT_DB)
    .option("--framework <id>", "framework id (clarion compliance frameworks)")
    .option("--declared <file>", "what the organization declared: scope, controls, not-applicable controls, attestations (YAML or JSON)")
    .option("-o, --output <format>", "md | html | json | table | csv", "md")
    .option("--query <jmespath>", "JMESPath query over the JSON output (table, json, csv)")
    .option("--out <file>", "write to a file instead of stdout")
    .option("--within <days>", "exemptions ending within N days are reported as expiring", "30")
    .option("--now <date>", "evaluate exemptions at this time (default now)")
    .action(
      async (o: {
        db: string;
        framework?: string;
        declared?: string;
        output: string;
        query?: string;
        out?: string;
        within?: string;
        now?: string;
      }) => {
        const framework = requireFramework(o.framework);
        const declared = o.declared ? readDeclared(o.declared) : undefined;
        await withStore(o.db, async (store) => {
          const input = await loadComplianceInput(store, nowOpt(o.now));
          const report = analyzeGaps(frameworkCatalog(), framework, input, declared, {
            expiringWithinDays: days(o.within, "--within", 30),
          });
          if (o.output === "md" || o.output === "markdown") return emit(renderGapsMarkdown(report), o.out);
          if (o.output === "html") return emit(renderGapsHtml(report), o.out);
          if (o.output === "json" && !o.query) return emit(`${JSON.stringify(report, null, 2)}\n`, o.out);
          const rows = o.query
            ? report
            : sortedControls(report).map((x) => ({
                control: x.controlId,
                title: x.title ?? "",
                raw: STATUS_LABEL[x.rawStatus],
                status: STATUS_LABEL[x.status],
                failing: x.failing.length,
                passing: x.passing.length,
                why: x.reason,
                closeWith: x.closeWith?.policies[0]?.name ?? (x.closeWith ? x.closeWith.initiative.displayName : ""),
              }));
          emit(render(rows, { output: o.output, query: o.query }), o.out);
          if (!report.passesKnown)
            process.stderr.write(
              `${pc.yellow("note")} this store has no recorded Healthy assessments; controls cannot show as passed until the pipeline records them\n`,
            );
        });
      },
    );

  c.command("exempt")
    .description("Exempt a finding, a resource, a recommendation (optionally within a scope) or a whole scope")
    .option("--db <file>", "store", DEFAULT_DB)
    .option("--finding <id>", "one finding (one recommendation on one resource)")
    .option("--resource <resourceId>", "every recommendation on one resource")
    .option("--recommendation <key>", "one recommendation (assessment key), everywhere or within --scope")
    .option("--scope <armScope>", "a subscription, resource group or resource prefix")
    .requiredOption("--owner <who>", "who owns the accepted risk")
    .requiredOption("--justification <text>", "why")
    .requiredOption("--category <c>", "mitigated | waiver")
    .option("--expires <date>", "expiry (YYYY-MM-DD or ISO 8601)")
    .option("--days <n>", "expiry N days from now")
    .option("-o, --output <format>", "table | json", "table")
    .action(
      async (o: {
        db: string;
        finding?: string;
        resource?: string;
        recommendation?: string;
        scope?: string;
        owner: string;
        justification: string;
        category: string;
        expires?: string;
        days?: string;
        output: string;
      }) =>
        withStore(o.db, async (store) => {
          const now = new Date();
          if (o.finding && !(await store.getFinding(o.finding)))
            throw new NotFoundError(`no finding ${o.finding}`, { hint: "list ids with `clarion findings`" });
          const expires =
            o.expires ??
            (o.days !== undefined ? new Date(now.getTime() + days(o.days, "--days", 0) * 86_400_000).toISOString() : undefined);
          const ex = createExemption({
            findingId: o.finding,
            resourceId: o.resource,
            recommendationId: o.recommendation,
            scope: o.scope,
            owner: o.owner,
            justification: o.justification,
            category: o.category,
            expiresOn: expires,
            createdBy: actor(),
            now,
          });
          if (!ex.expiresOn)
            process.stderr.write(`${pc.yellow("warning")} exemption ${ex.id} has no expiry; auditors expect one (--expires or --days)\n`);
          await saveExemptions(store, [ex]);
          const exempted = await applyStoredExemptions(store, now);
          const covered = (await store.listFindings()).filter((f) => f.exemption?.id === ex.id).length;
          await store.appendAudit([
            {
              time: now.toISOString(),
              actor: actor(),
              action: "exemption.created",
              subject: ex.id,
              digest: sha256(JSON.stringify(ex)),
              details: { target: ex.target, category: ex.category, owner: ex.owner, expiresOn: ex.expiresOn, findings: covered },
            },
          ]);
          process.stdout.write(
            render(
              o.output === "json"
                ? { ...ex, findings: covered }
                : [
                    {
                      id: ex.id,
                      target: ex.target,
                      category: ex.category,
                      owner: ex.owner,
                      expiresOn: ex.expiresOn ?? "none",
                      findingsCovered: covered,
                      exemptFindingsTotal: exempted,
                    },
                  ],
              { output: o.output },
            ),
          );
        }),
    );

  const ex = c.command("exemptions").description("List, import and remove exemptions; show raw vs post-exemption status");

  ex.command("list")
    .description("Exemptions with their state (active, expiring, expired) and the findings they cover")
    .option("--db <file>", "store", DEFAULT_DB)
    .option("--state <s>", "active | expiring | expired")
    .option("--within <days>", "ending within N days counts as expiring", "30")
    .option("-o, --output <format>", "table | json | csv", "table")
    .option("--query <jmespath>", "JMESPath query over the JSON output")
    .option("--now <date>", "evaluate at this time (default now)")
    .action(async (o: { db: string; state?: string; within?: string; output: string; query?: string; now?: string }) =>
      withStore(o.db, async (store) => {
        const now = nowOpt(o.now);
        const input = await loadComplianceInput(store, now);
        const within = days(o.within, "--within", 30);
        if (o.state && !["active", "expiring", "expired"].includes(o.state))
          throw new InputError(`--state must be active, expiring or expired, got '${o.state}'`, { field: "--state" });
        const rows = input.exemptions
          .map((e) => ({
            ...describe(e),
            state: exemptionState(e, now, within),
            findings: input.findings.filter((f) => f.exemption?.id === e.id).length,
          }))
          .filter((r) => !o.state || r.state === o.state);
        process.stdout.write(
          render(rows, o, ["id", "state", "target", "appliesTo", "category", "owner", "expiresOn", "findings", "source", "justification"]),
        );
        const expired = rows.filter((r) => r.state === "expired").length;
        const expiring = rows.filter((r) => r.state === "expiring").length;
        if ((expired || expiring) && o.output === "table")
          process.stderr.write(`${pc.yellow("attention")} ${expired} expired, ${expiring} expiring within ${within} days\n`);
      }),
    );

  ex.command("findings")
    .description("Findings with their raw status beside the status after exemptions")
    .option("--db <file>", "store", DEFAULT_DB)
    .option("--exempt-only", "only findings an exemption covers")
    .option("-o, --output <format>", "table | json | csv", "table")
    .option("--query <jmespath>", "JMESPath query over the JSON output")
    .option("--now <date>", "evaluate at this time (default now)")
    .action(async (o: { db: string; exemptOnly?: boolean; output: string; query?: string; now?: string }) =>
      withStore(o.db, async (store) => {
        const input = await loadComplianceInput(store, nowOpt(o.now));
        const rows = input.findings
          .filter((f) => !o.exemptOnly || f.exemption)
          .map((f) => ({
            id: f.id,
            resource: f.resourceName,
            recommendation: f.recommendation.name,
            rawStatus: f.status,
            status: postExemptionStatus(f),
            exemption: f.exemption?.id ?? "",
            category: f.exemption?.category ?? "",
            owner: f.exemption?.owner ?? "",
            expiresOn: f.exemption?.expiresOn ?? "",
          }));
        process.stdout.write(render(rows, o));
      }),
    );

  ex.command("import <files...>")
    .description(
      "Import Azure policy exemptions from exports (az policy exemption list, REST {value:[]}, ARG policyresources {data:[]}, NDJSON); include the assignments to resolve their policies",
    )
    .option("--db <file>", "store", DEFAULT_DB)
    .option("-o, --output <format>", "table | json", "table")
    .action(async (files: string[], o: { db: string; output: string }) =>
      withStore(o.db, async (store) => {
        const now = new Date();
        const catalog = frameworkCatalog();
        const all: Exemption[] = [];
        const unresolved: string[] = [];
        for (const file of files) {
          if (!existsSync(file)) throw new NotFoundError(`no such file: ${file}`);
          const r = importAzureExemptions(readFileSync(file, "utf8"), file, catalog, { now, actor: actor() });
          all.push(...r.exemptions);
          unresolved.push(...r.unresolved);
        }
        await saveExemptions(store, all);
        await applyStoredExemptions(store, now);
        const findings = await store.listFindings();
        await store.appendAudit(
          all.map((e) => ({
            time: now.toISOString(),
            actor: actor(),
            action: "exemption.imported",
            subject: e.id,
            digest: sha256(JSON.stringify(e)),
            details: {
              azureId: e.azure?.id,
              resolution: e.azure?.resolution,
              findings: findings.filter((f) => f.exemption?.id === e.id).length,
            },
          })),
        );
        const rows = all.map((e) => ({
          id: e.id,
          scope: e.scope,
          category: e.category,
          expiresOn: e.expiresOn ?? "none",
          resolution: e.azure?.resolution,
          policies: e.policyDefinitionIds?.length ?? 0,
          findings: findings.filter((f) => f.exemption?.id === e.id).length,
          azureId: e.azure?.id,
        }));
        process.stdout.write(render(rows, { output: o.output }));
        if (unresolved.length)
          process.stderr.write(
            `${pc.yellow("warning")} ${unresolved.length} exemption(s) name an assignment not in the export; they are kept but cover nothing until the assignment is imported too\n`,
          );
      }),
    );

  ex.command("remove <id>")
    .description("Remove an exemption (the findings it covered become open again)")
    .option("--db <file>", "store", DEFAULT_DB)
    .action(async (id: string, o: { db: string }) =>
      withStore(o.db, async (store) => {
        if (!(await deleteExemption(store, id)))
          throw new NotFoundError(`no exemption ${id}`, { hint: "clarion compliance exemptions list" });
        await applyStoredExemptions(store);
        await store.appendAudit([
          { time: new Date().toISOString(), actor: actor(), action: "exemption.removed", subject: id, digest: sha256(id), details: {} },
        ]);
        process.stdout.write(`removed ${id}\n`);
      }),
    );

  c.command("evidence")
    .description(
      "Auditor-ready evidence package: index.html + PDF, per-control evidence, resource snapshots, exemptions, manifest with SHA-256 of every file",
    )
    .option("--db <file>", "store", DEFAULT_DB)
    .option("--framework <id>", "framework id")
    .requiredOption("--out <dir>", "new or empty folder (or a previous package, replaced)")
    .option("--declared <file>", "declared scope, controls and attestations (YAML or JSON)")
    .option("--no-pdf", "skip the PDF")
    .option("--now <date>", "evaluate exemptions at this time (default now)")
    .action(async (o: { db: string; framework?: string; out: string; declared?: string; pdf: boolean; now?: string }) => {
      const framework = requireFramework(o.framework);
      const declared = o.declared ? readDeclared(o.declared) : undefined;
      await withStore(o.db, async (store) => {
        const input = await loadComplianceInput(store, nowOpt(o.now));
        const r = await buildEvidencePackage(frameworkCatalog(), input, {
          frameworkId: framework,
          outDir: o.out,
          declared,
          actor: actor(),
          pdf: o.pdf,
        });
        await store.appendAudit([
          {
            time: new Date().toISOString(),
            actor: actor(),
            action: "evidence.packaged",
            subject: r.dir,
            digest: r.manifest.packageDigest,
            details: { framework, files: r.manifest.files.length, pdf: r.manifest.pdf.rendered },
          },
        ]);
        const s = r.report.summary.post;
        process.stdout.write(
          `Evidence package for ${framework} in ${r.dir}\n  ${r.manifest.files.length} files, package digest ${r.manifest.packageDigest}\n  controls: ${s.failed} failed, ${s.exempted} exempted, ${s.passed} passed, ${s["not-assessed"]} not assessed, ${s.manual} manual\n  PDF: ${r.manifest.pdf.rendered ? "evidence.pdf" : `not rendered (${r.manifest.pdf.note})`}\n  verify with: clarion compliance verify ${o.out}\n`,
        );
      });
    });

  c.command("verify <dir>")
    .description("Verify an evidence package against its manifest (and, with --db, against the audit log)")
    .option("--db <file>", "also check the package digest was recorded in this store's audit log")
    .option("-o, --output <format>", "table | json", "table")
    .action(async (dir: string, o: { db?: string; output: string }) => {
      const r = verifyEvidencePackage(dir);
      let audited: boolean | undefined;
      if (o.db && r.packageDigest)
        audited = await withStore(o.db, async (store) =>
          (await store.listAudit()).some((e) => e.action === "evidence.packaged" && e.digest === r.packageDigest),
        );
      if (o.output === "json")
        process.stdout.write(`${JSON.stringify({ ...r, ...(audited !== undefined ? { audited } : {}) }, null, 2)}\n`);
      else {
        process.stdout.write(
          `${r.ok ? pc.green("OK") : pc.red("CHANGED")} ${r.dir}: ${r.checked} files checked, package digest ${r.packageDigest ?? "?"}\n`,
        );
        for (const p of r.problems) process.stdout.write(`  ${p.problem.padEnd(10)} ${p.path}\n`);
        if (audited !== undefined)
          process.stdout.write(
            `  audit log: ${audited ? "package digest recorded" : pc.red("package digest NOT recorded in the audit log")}\n`,
          );
      }
      if (!r.ok || audited === false)
        throw new ConflictError(
          `evidence package ${dir} does not match its ${r.ok ? "audit record" : "manifest"} (${r.problems.length} problem(s))`,
        );
    });

  c.command("baseline")
    .description("Recommended Defender plans and policy initiatives for a subscription, by its purpose, with reasons")
    .option("--db <file>", "store", DEFAULT_DB)
    .requiredOption("--subscription <id>", "subscription id")
    .option("-o, --output <format>", "text | json", "text")
    .action(async (o: { db: string; subscription: string; output: string }) =>
      withStore(o.db, async (store) => {
        const [resources, findings] = await Promise.all([store.listResources(), store.listFindings()]);
        const b = recommendBaseline(frameworkCatalog(), resources, findings, o.subscription);
        if (o.output === "json") return void process.stdout.write(`${JSON.stringify(b, null, 2)}\n`);
        if (o.output !== "text") throw new InputError(`unknown output format '${o.output}' (use text or json)`, { field: "-o" });
        const lines = [
          `${b.name} (${b.subscriptionId}): ${b.purpose}`,
          ...b.purposeReasons.map((r) => `  because ${r}`),
          `  data classifications: ${b.dataClassifications.join(", ") || "none tagged"} · open findings: ${b.openFindings}`,
          "",
          "Defender plans:",
          ...b.plans.flatMap((p) => [
            `  ${p.action.padEnd(18)} ${p.label}${p.subPlan ? ` (${p.subPlan})` : ""} — recommended ${p.recommended}, now ${p.current}`,
            ...p.reasons.map((r) => `${" ".repeat(21)}· ${r}`),
          ]),
          "",
          "Policy initiatives:",
          ...b.initiatives.flatMap((i) => [
            `  ${i.initiative.displayName} [${i.framework}]`,
            ...i.reasons.map((r) => `    · ${r}`),
            `    ${i.assign}`,
          ]),
          ...(b.notes.length ? ["", "Notes:", ...b.notes.map((n) => `  · ${n}`)] : []),
        ];
        process.stdout.write(`${lines.join("\n")}\n`);
      }),
    );
}

function describe(e: Exemption) {
  const appliesTo = e.findingId ?? e.resourceId ?? [e.recommendationId, e.scope].filter(Boolean).join(" in ") ?? "";
  return {
    id: e.id,
    target: e.target,
    appliesTo: e.policyDefinitionIds ? `${appliesTo} (${e.policyDefinitionIds.length} policies)` : appliesTo,
    category: e.category,
    owner: e.owner,
    expiresOn: e.expiresOn ?? "none",
    source: e.source,
    justification: e.justification,
    createdBy: e.createdBy,
    createdAt: e.createdAt,
    ...(e.azure ? { azure: e.azure } : {}),
  };
}
