import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Command } from "commander";
import { InputError, NotFoundError } from "../../domain/errors";
import { checkDraft, draftFromFinding, draftFromText } from "../../policy/draft";
import { type ExportFormat, exportPolicy } from "../../policy/export";
import { validatePolicy, whatIf } from "../../policy/index";
import { readArgFile } from "../../policy/reader";
import { DEFAULT_DB, openStore } from "../../store/open-store";
import { render } from "../output";

function readJson(file: string): unknown {
  if (!existsSync(file)) throw new NotFoundError(`no such file: ${file}`);
  try {
    return JSON.parse(readFileSync(file, "utf8").replace(/^\uFEFF/, ""));
  } catch (e) {
    throw new InputError(`not valid JSON: ${(e as Error).message}`, { file });
  }
}

function policyFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    if (!existsSync(p)) throw new NotFoundError(`no such file or folder: ${p}`);
    if (statSync(p).isDirectory()) for (const f of readdirSync(p).sort()) walk(join(p, f));
    else if (p.endsWith(".json")) out.push(p);
  };
  for (const p of paths) walk(p);
  return out;
}

async function loadResources(opts: { input?: string[]; db?: string }): Promise<Record<string, unknown>[]> {
  if (opts.input?.length) return opts.input.flatMap((f) => readArgFile(f));
  const store = await openStore(opts.db ?? DEFAULT_DB, { mustExist: true });
  try {
    return (await store.listResources()) as Record<string, unknown>[];
  } finally {
    await store.close();
  }
}

function parseParams(list: string[] | undefined, file?: string): Record<string, unknown> {
  const out: Record<string, unknown> = file ? (readJson(file) as Record<string, unknown>) : {};
  for (const kv of list ?? []) {
    const i = kv.indexOf("=");
    if (i <= 0) throw new InputError(`--param expects name=value (got '${kv}')`, { field: "--param" });
    const raw = kv.slice(i + 1);
    let v: unknown = raw;
    try {
      v = JSON.parse(raw);
    } catch {
      /* a bare string */
    }
    out[kv.slice(0, i)] = v;
  }
  return out;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function register(program: Command): void {
  const policy = program.command("policy").description("Azure Policy: validate, what-if, draft and export definitions offline");

  policy
    .command("validate")
    .description("validate policy definition files (or folders of them) against the language and the alias catalog")
    .argument("<paths...>", "policy JSON files or folders")
    .option("-o, --output <format>", "table|json|csv", "table")
    .option("--query <jmespath>", "JMESPath query over the rows")
    .action((paths: string[], opts: { output: string; query?: string }) => {
      const rows = policyFiles(paths).map((file) => {
        let v: ReturnType<typeof validatePolicy>;
        try {
          v = validatePolicy(readJson(file));
        } catch (e) {
          return {
            file,
            valid: false,
            errors: [{ pointer: "", message: (e as Error).message }],
            warnings: [] as string[],
            notEvaluable: null,
          };
        }
        return { file, valid: v.valid, errors: v.errors, warnings: v.warnings, notEvaluable: v.notEvaluable ?? null };
      });
      const valid = rows.filter((r) => r.valid).length;
      if (opts.output === "table" && !opts.query) {
        const table = rows.map((r) => ({
          file: r.file,
          valid: r.valid ? "yes" : "no",
          problems: r.errors.map((e) => `${e.pointer || "/"}: ${e.message}`).join(" | "),
          note: r.notEvaluable ?? (r.warnings.length ? `${r.warnings.length} warning(s)` : ""),
        }));
        process.stdout.write(render(table, opts));
      } else process.stdout.write(render(rows, opts));
      process.stderr.write(`${valid} valid, ${rows.length - valid} invalid\n`);
      if (valid !== rows.length) process.exitCode = 2;
    });

  policy
    .command("whatif")
    .description("what the policy would do to existing resources if assigned today")
    .argument("<policy>", "policy definition JSON")
    .option("--input <file>", "ARG results ({data:[...]}, JSON array or NDJSON); repeatable", collect)
    .option("--db <file>", "Clarion database", DEFAULT_DB)
    .option("--param <name=value>", "assignment parameter value (JSON or string); repeatable", collect)
    .option("--params <file>", "assignment parameters JSON ({name: value} or {name: {value}})")
    .option("--now <iso>", "clock for utcNow() (default: now)")
    .option("-o, --output <format>", "table|json|csv", "table")
    .option("--query <jmespath>", "JMESPath query over the result")
    .action(
      async (
        file: string,
        opts: { input?: string[]; db: string; param?: string[]; params?: string; now?: string; output: string; query?: string },
      ) => {
        const json = readJson(file);
        const resources = await loadResources(opts);
        const result = whatIf(json, resources, { params: parseParams(opts.param, opts.params), now: opts.now });
        if (opts.output === "table" && !opts.query) {
          const c = result.counts;
          const head = [
            `policy: ${result.policy.displayName ?? result.policy.name ?? file}  mode: ${result.mode}  effect: ${result.effect}`,
            `evaluated ${result.evaluated}: ${c.noncompliant} noncompliant (${result.impact.action}), ${c.compliant} compliant, ${c.notApplicable} not applicable, ${c.errored} errored`,
            `compliance once assigned: ${result.complianceDelta.compliancePercent ?? "n/a"}% of ${result.complianceDelta.applicable} applicable`,
            "",
            "by subscription:",
            render(result.bySubscription, { output: "table" }),
            "by environment:",
            render(result.byEnvironment, { output: "table" }),
            "resources (noncompliant and errored):",
          ].join("\n");
          process.stdout.write(`${head}\n`);
          process.stdout.write(
            render(
              result.resources.filter((r) => r.result === "noncompliant" || r.result === "errored"),
              { output: "table" },
            ),
          );
        } else process.stdout.write(render(result, opts));
      },
    );

  policy
    .command("draft")
    .description("draft a policy from a finding (its pack's knowledge) or from text; validated and what-if'd before writing")
    .option("--from-finding <id>", "finding id in the store")
    .option("--text <sentence>", "what the policy should enforce")
    .option("--db <file>", "Clarion database", DEFAULT_DB)
    .option("--input <file>", "ARG results to what-if against (instead of --db); repeatable", collect)
    .option("--out <file>", "where to write the draft (default ./clarion-out/policies/<name>.json)")
    .option("-o, --output <format>", "table|json", "table")
    .option("--model", "with --text: let the configured model (CLARION_LLM_*) write the draft; it is still validated and what-if'd, and refused drafts are shown with the reasons")
    .action(async (opts: { fromFinding?: string; text?: string; db: string; input?: string[]; out?: string; output: string; model?: boolean }) => {
      if (!!opts.fromFinding === !!opts.text) throw new InputError('give exactly one of --from-finding ID or --text "..."');
      if (opts.model) {
        if (!opts.text) throw new InputError("--model drafts from --text only", { field: "--model" });
        const { loadConfig } = await import("../../config/config");
        const { createProvider } = await import("../../ai/provider");
        const { draftPolicyWithModel } = await import("../../ai/draft");
        const cfg = loadConfig();
        if (cfg.llm.provider === "offline") throw new InputError("no model configured", { field: "CLARION_LLM_PROVIDER" }, { hint: "set CLARION_LLM_PROVIDER, CLARION_LLM_BASE_URL and CLARION_LLM_MODEL, or drop --model" });
        const resources = opts.input?.length || existsSync(opts.db) ? await loadResources({ input: opts.input, db: opts.db }) : [];
        const result = await draftPolicyWithModel(opts.text, { provider: createProvider(cfg.llm), resources });
        if (result.status === "accepted" && result.draft) {
          const out = opts.out ?? join("clarion-out", "policies", `${result.draft.name}.json`);
          mkdirSync(dirname(out), { recursive: true });
          writeFileSync(out, `${JSON.stringify(result.draft.policy, null, 2)}\n`);
          process.stdout.write(opts.output === "json" ? `${JSON.stringify({ file: out, ...result }, null, 2)}\n` : `wrote ${out} (model ${result.model}, ${result.usage.calls} call(s))\n`);
          return;
        }
        process.stdout.write(opts.output === "json" ? `${JSON.stringify(result, null, 2)}\n` : `refused: the model's draft was not accepted\n${result.reasons.map((r) => `  - ${r}`).join("\n")}\n`);
        process.exitCode = 2;
        return;
      }
      let draft;
      if (opts.fromFinding) {
        const store = await openStore(opts.db, { mustExist: true });
        try {
          const f = await store.getFinding(opts.fromFinding);
          if (!f) throw new NotFoundError(`no finding ${opts.fromFinding} in ${opts.db}`);
          draft = draftFromFinding(f);
        } finally {
          await store.close();
        }
      } else draft = draftFromText(opts.text!);
      let resources: Record<string, unknown>[] = [];
      let note = "";
      if (opts.input?.length || existsSync(opts.db)) resources = await loadResources({ input: opts.input, db: opts.db });
      else note = `no inventory (${opts.db} absent, no --input): what-if ran over 0 resources`;
      const checked = checkDraft(draft, resources);
      if (!checked.validation.valid)
        throw new InputError(
          `the draft does not validate: ${checked.validation.errors.map((e) => `${e.pointer}: ${e.message}`).join("; ")}`,
        );
      const out = opts.out ?? join("clarion-out", "policies", `${draft.name}.json`);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, `${JSON.stringify(draft.policy, null, 2)}\n`);
      if (opts.output === "json") {
        process.stdout.write(`${JSON.stringify({ file: out, ...checked, note: note || undefined }, null, 2)}\n`);
        return;
      }
      const lines = [`wrote ${out} (${checked.source})`];
      for (const b of checked.recommendedBuiltins.slice(0, 3))
        lines.push(`  built-in: ${b.id}  ${b.displayName}${b.score !== undefined ? `  (score ${b.score})` : ""}`);
      for (const n of checked.notes) lines.push(`  note: ${n}`);
      if (checked.whatIf) {
        const c = checked.whatIf.counts;
        lines.push(
          `  what-if (${checked.whatIf.effect}): ${c.noncompliant} noncompliant, ${c.compliant} compliant, ${c.notApplicable} not applicable, ${c.errored} errored of ${checked.whatIf.evaluated}`,
        );
      }
      if (checked.whatIfRefused) lines.push(`  what-if refused: ${checked.whatIfRefused}`);
      if (note) lines.push(`  ${note}`);
      process.stdout.write(`${lines.join("\n")}\n`);
    });

  policy
    .command("export")
    .description("definition plus assignment scaffolding as ARM, Bicep or Terraform")
    .argument("<policy>", "policy definition JSON")
    .requiredOption("--format <format>", "arm|bicep|terraform")
    .option("--out <file>", "write to a file instead of stdout")
    .action((file: string, opts: { format: string; out?: string }) => {
      const text = exportPolicy(readJson(file), opts.format as ExportFormat);
      if (opts.out) {
        mkdirSync(dirname(opts.out), { recursive: true });
        writeFileSync(opts.out, text);
        process.stderr.write(`wrote ${opts.out}\n`);
      } else process.stdout.write(text);
    });
}
