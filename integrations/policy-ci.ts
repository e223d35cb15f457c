/**
 * Policy as code in CI: runs `clarion policy validate` and `clarion policy whatif` on the policy definition files a
 * pull request changed, writes SARIF 2.1.0 and a Markdown summary, and sets the exit code. Shared by the GitHub
 * Action (integrations/github-action/action.yml) and the Azure DevOps task (integrations/azure-devops/).
 *
 *   node integrations/clarion-policy-check.mjs --base origin/main --paths policies \
 *     [--input inventory.json]... [--db clarion.db] --sarif clarion-policy.sarif --summary summary.md [--fail-on invalid|never]
 *   (--files a.json,b.json instead of --base checks exactly those files)
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { toSarif, type ValidateRow, type WhatIfSummary } from "./sarif-policy";

const CLARION_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CLARION_BIN = join(CLARION_ROOT, "bin", "clarion.mjs");

export interface CiOptions {
  /** Git ref to diff against (the PR's target); ignored when `files` is given. */
  base?: string;
  /** Folders or path prefixes holding policy definitions (default ["policies"]). */
  paths?: string[];
  files?: string[];
  /** ARG inventory exports for the what-if; without them (and without db) the what-if is skipped. */
  inputs?: string[];
  db?: string;
  cwd?: string;
}

export interface CiResult {
  files: string[];
  validate: ValidateRow[];
  whatifs: WhatIfSummary[];
  invalid: number;
  sarif: Record<string, unknown>;
  summary: string;
}

/** Changed (added, modified, renamed) .json files under `paths` between `base` and HEAD. */
export function changedPolicyFiles(base: string, paths: string[], cwd: string): string[] {
  const out = execFileSync("git", ["diff", "--name-only", "--diff-filter=AMR", `${base}...HEAD`, "--", ...paths], { cwd, encoding: "utf8" });
  return out
    .split("\n")
    .map((s) => s.trim())
    .filter((f) => f.endsWith(".json") && existsSync(join(cwd, f)));
}

function clarion(args: string[], cwd: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLARION_BIN, ...args], { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

export function runPolicyCi(o: CiOptions): CiResult {
  const cwd = resolve(o.cwd ?? process.cwd());
  const files = o.files?.length ? o.files : o.base ? changedPolicyFiles(o.base, o.paths?.length ? o.paths : ["policies"], cwd) : [];
  let validate: ValidateRow[] = [];
  if (files.length) {
    const v = clarion(["policy", "validate", ...files, "-o", "json"], cwd);
    if (v.status !== 0 && v.status !== 2) throw new Error(`clarion policy validate failed (${v.status}): ${v.stderr.trim()}`);
    validate = (JSON.parse(v.stdout) as ValidateRow[]).map((r) => ({ ...r, file: resolve(cwd, r.file) }));
  }
  const whatifs: WhatIfSummary[] = [];
  const source = o.inputs?.length ? o.inputs.flatMap((f) => ["--input", f]) : o.db ? ["--db", o.db] : [];
  if (source.length)
    for (const row of validate.filter((r) => r.valid && !r.notEvaluable)) {
      const w = clarion(["policy", "whatif", row.file, ...source, "-o", "json"], cwd);
      if (w.status !== 0) {
        whatifs.push({ file: row.file, effect: "", evaluated: 0, counts: { compliant: 0, noncompliant: 0, notApplicable: 0, errored: 0 }, impact: { effect: "", action: "", count: 0 }, error: w.stderr.trim().split("\n")[0] });
        continue;
      }
      const j = JSON.parse(w.stdout) as Omit<WhatIfSummary, "file">;
      whatifs.push({ file: row.file, effect: j.effect, evaluated: j.evaluated, counts: j.counts, impact: j.impact, complianceDelta: j.complianceDelta });
    }
  const invalid = validate.filter((r) => !r.valid).length;
  const sarif = toSarif(validate, whatifs, { root: cwd });
  return { files, validate, whatifs, invalid, sarif, summary: markdown(validate, whatifs, cwd) };
}

const md = (s: string) => s.replace(/[|\n\r]/g, " ").replace(/[<>]/g, (c) => (c === "<" ? "&lt;" : "&gt;"));

function markdown(validate: ValidateRow[], whatifs: WhatIfSummary[], cwd: string): string {
  const rel = (f: string) => (f.startsWith(cwd) ? f.slice(cwd.length + 1) : f);
  if (!validate.length) return "### Clarion policy check\nNo policy definition files changed.\n";
  const lines = ["### Clarion policy check", "", "| file | valid | problems | what-if |", "|---|---|---|---|"];
  for (const v of validate) {
    const w = whatifs.find((x) => x.file === v.file);
    const wi = !w ? "not run" : w.error ? `not run: ${w.error}` : `${w.impact.count} ${w.impact.action} (effect ${w.effect}, ${w.evaluated} evaluated)`;
    lines.push(`| ${md(rel(v.file))} | ${v.valid ? "yes" : "**no**"} | ${md(v.errors.map((e) => `${e.pointer || "/"}: ${e.message}`).join("; ")) || "-"} | ${md(wi)} |`);
  }
  return `${lines.join("\n")}\n`;
}

function parseArgs(argv: string[]): CiOptions & { sarif?: string; summary?: string; failOn: string } {
  const o: CiOptions & { sarif?: string; summary?: string; failOn: string } = { failOn: "invalid", inputs: [], paths: [] };
  const list = (v: string) => v.split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1] ?? "";
    if (k === "--base") o.base = v;
    else if (k === "--paths") o.paths = list(v);
    else if (k === "--files") o.files = list(v);
    else if (k === "--input") o.inputs?.push(...list(v));
    else if (k === "--db") o.db = v || undefined;
    else if (k === "--sarif") o.sarif = v;
    else if (k === "--summary") o.summary = v;
    else if (k === "--fail-on") o.failOn = v;
    else if (k === "--cwd") o.cwd = v;
    else throw new Error(`unknown argument ${k}`);
    i++;
  }
  return o;
}

/** CLI entry (integrations/clarion-policy-check.mjs calls it); returns the exit code. */
export function main(argv: string[]): number {
  const o = parseArgs(argv);
  const r = runPolicyCi(o);
  if (o.sarif) writeFileSync(o.sarif, `${JSON.stringify(r.sarif, null, 2)}\n`);
  if (o.summary) writeFileSync(o.summary, r.summary);
  process.stdout.write(r.summary);
  process.stderr.write(`clarion policy check: ${r.files.length} file(s), ${r.invalid} invalid\n`);
  return r.invalid && o.failOn !== "never" ? 2 : 0;
}
