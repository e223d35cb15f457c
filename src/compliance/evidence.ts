import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { InputError, NotFoundError } from "../domain/errors";
import type { ArmResource } from "../domain/resource";
import type { FrameworkCatalog } from "./catalog";
import { exemptionState } from "./exemptions";
import {
  analyzeGaps,
  BASE_CSS,
  type ComplianceInput,
  type ControlGap,
  type Declared,
  escHtml,
  type GapReport,
  type STATUS_LABEL,
  sortedControls,
  statusSpan,
} from "./gaps";

const run = promisify(execFile);

export const MANIFEST = "manifest.json";
export const PDF_FILE = "evidence.pdf";

export interface ManifestEntry {
  path: string;
  sha256: string;
  bytes: number;
}

export interface Manifest {
  format: "clarion-evidence/1";
  framework: string;
  generatedAt: string;
  generatedBy: string;
  files: ManifestEntry[];
  /** SHA-256 over the sorted "sha256  path" lines: one value to anchor (the audit log records it). */
  packageDigest: string;
  pdf: { rendered: boolean; note?: string };
}

export interface EvidenceResult {
  dir: string;
  manifest: Manifest;
  report: GapReport;
}

export interface EvidenceOptions {
  frameworkId: string;
  outDir: string;
  declared?: Declared;
  actor: string;
  /** Render the PDF (default true); when chromium is missing the package notes it and has no PDF. */
  pdf?: boolean;
  chromium?: string;
  expiringWithinDays?: number;
}

const sha256 = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

export function packageDigest(files: ManifestEntry[]): string {
  return sha256(
    [...files]
      .sort((a, b) => a.path.localeCompare(b.path))
      .map((f) => `${f.sha256}  ${f.path}\n`)
      .join(""),
  );
}

const safeName = (controlId: string) => controlId.replace(/[^A-Za-z0-9._-]+/g, "_");

/**
 * Builds the evidence package for one framework: index.html (and its PDF), per-control evidence JSON,
 * resource state snapshots, exemptions with who and why, the gap report, and a manifest with the SHA-256
 * of every file. The folder must be new or empty (or a previous package), so nothing stale is signed.
 */
export async function buildEvidencePackage(
  catalog: FrameworkCatalog,
  input: ComplianceInput,
  opts: EvidenceOptions,
): Promise<EvidenceResult> {
  const dir = resolve(opts.outDir);
  if (existsSync(dir)) {
    const entries = readdirSync(dir);
    if (entries.length && !entries.includes(MANIFEST))
      throw new InputError(`${dir} exists and is not an evidence package; choose a new or empty folder`, { field: "--out" });
    for (const e of entries) rmSync(join(dir, e), { recursive: true, force: true });
  }
  mkdirSync(join(dir, "controls"), { recursive: true });
  mkdirSync(join(dir, "resources"), { recursive: true });

  const report = analyzeGaps(catalog, opts.frameworkId, input, opts.declared, { expiringWithinDays: opts.expiringWithinDays });
  const byId = new Map<string, ArmResource>(input.resources.map((r) => [r.id.toLowerCase(), r]));
  const snapshots = new Map<string, string>(); // resource id (lower) -> file
  const snapshotFile = (resourceId: string): string | null => {
    const key = resourceId.toLowerCase();
    if (snapshots.has(key)) return snapshots.get(key) ?? null;
    const r = byId.get(key);
    if (!r) return null;
    const file = `resources/${sha256(key).slice(0, 16)}.json`;
    writeFileSync(
      join(dir, file),
      `${JSON.stringify({ capturedAt: input.now.toISOString(), source: "inventory (Azure Resource Graph shape) of the run in the store", resource: r }, null, 2)}\n`,
    );
    snapshots.set(key, file);
    return file;
  };

  const withEvidence = report.controls.filter((c) => c.failing.length || c.passing.length || c.attestation || c.notApplicableReason);
  for (const c of withEvidence) {
    const doc = {
      framework: report.framework.id,
      controlId: c.controlId,
      title: c.title,
      rawStatus: c.rawStatus,
      status: c.status,
      reason: c.reason,
      evaluatedAt: report.generatedAt,
      failing: c.failing.map((f) => ({ ...f, resourceSnapshot: snapshotFile(f.resourceId) })),
      passing: c.passing.map((p) => ({ ...p, resourceSnapshot: snapshotFile(p.resourceId) })),
      exemptions: [
        ...new Map(
          c.failing.filter((f) => f.exemption).map((f) => [f.exemption?.id, input.exemptions.find((e) => e.id === f.exemption?.id)]),
        ).values(),
      ].filter(Boolean),
      attestation: c.attestation ?? null,
      notApplicableReason: c.notApplicableReason ?? null,
      closeWith: c.closeWith ?? null,
    };
    writeFileSync(join(dir, "controls", `${safeName(c.controlId)}.json`), `${JSON.stringify(doc, null, 2)}\n`);
  }
  const exemptions = input.exemptions.map((e) => ({
    ...e,
    state: exemptionState(e, input.now, opts.expiringWithinDays ?? 30),
    findings: input.findings.filter((f) => f.exemption?.id === e.id).map((f) => f.id),
  }));
  writeFileSync(join(dir, "exemptions.json"), `${JSON.stringify(exemptions, null, 2)}\n`);
  writeFileSync(join(dir, "gaps.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, "index.html"), renderEvidenceHtml(report, withEvidence, exemptions, snapshots));

  let pdf: Manifest["pdf"] = { rendered: false, note: "not requested (--no-pdf)" };
  if (opts.pdf !== false) pdf = await renderPdf(join(dir, "index.html"), join(dir, PDF_FILE), opts.chromium);

  const files = listFiles(dir)
    .filter((p) => p !== MANIFEST)
    .map((p) => {
      const buf = readFileSync(join(dir, p));
      return { path: p, sha256: sha256(buf), bytes: buf.length };
    });
  const manifest: Manifest = {
    format: "clarion-evidence/1",
    framework: report.framework.id,
    generatedAt: input.now.toISOString(),
    generatedBy: opts.actor,
    files,
    packageDigest: packageDigest(files),
    pdf,
  };
  writeFileSync(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return { dir, manifest, report };
}

/** Relative paths (forward slashes) of every file under dir, sorted. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p).split(sep).join("/"));
    }
  };
  walk(dir);
  return out.sort();
}

export function findChromium(explicit?: string): string | undefined {
  const candidates = [
    explicit,
    process.env.CLARION_CHROMIUM,
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
  ].filter((x): x is string => !!x);
  return candidates.find((c) => existsSync(c));
}

/** Prints an HTML file to PDF with headless Chromium (Debian's `chromium`). */
export async function renderPdf(htmlFile: string, pdfFile: string, chromium?: string): Promise<Manifest["pdf"]> {
  const bin = findChromium(chromium);
  if (!bin) return { rendered: false, note: "chromium not found (apt-get install chromium, or set CLARION_CHROMIUM)" };
  const profile = `${pdfFile}.profile`;
  try {
    await run(
      bin,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-pdf-header-footer",
        `--user-data-dir=${profile}`,
        `--print-to-pdf=${pdfFile}`,
        pathToFileURL(htmlFile).href,
      ],
      { timeout: 120_000 },
    );
  } catch (e) {
    return { rendered: false, note: `chromium failed: ${(e as Error).message.split("\n")[0]}` };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
  if (!existsSync(pdfFile) || statSync(pdfFile).size === 0) return { rendered: false, note: "chromium produced no PDF" };
  return { rendered: true };
}

export interface VerifyResult {
  ok: boolean;
  dir: string;
  framework?: string;
  packageDigest?: string;
  checked: number;
  problems: { path: string; problem: "modified" | "missing" | "unexpected" | "manifest" }[];
}

/** Re-hashes every file of a package against its manifest; any change, removal or addition fails. */
export function verifyEvidencePackage(dirArg: string): VerifyResult {
  const dir = resolve(dirArg);
  const file = join(dir, MANIFEST);
  if (!existsSync(file))
    throw new NotFoundError(`no ${MANIFEST} in ${dir}`, { hint: "pass the folder written by `clarion compliance evidence --out DIR`" });
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(file, "utf8")) as Manifest;
  } catch {
    return { ok: false, dir, checked: 0, problems: [{ path: MANIFEST, problem: "manifest" }] };
  }
  const problems: VerifyResult["problems"] = [];
  if (!Array.isArray(manifest.files) || packageDigest(manifest.files) !== manifest.packageDigest)
    problems.push({ path: MANIFEST, problem: "manifest" });
  const listed = new Set<string>();
  for (const f of manifest.files ?? []) {
    listed.add(f.path);
    const p = resolve(dir, f.path);
    if (!p.startsWith(dir + sep)) {
      problems.push({ path: f.path, problem: "manifest" });
      continue;
    }
    if (!existsSync(p)) problems.push({ path: f.path, problem: "missing" });
    else if (sha256(readFileSync(p)) !== f.sha256) problems.push({ path: f.path, problem: "modified" });
  }
  for (const p of listFiles(dir)) if (p !== MANIFEST && !listed.has(p)) problems.push({ path: p, problem: "unexpected" });
  return {
    ok: problems.length === 0,
    dir,
    framework: manifest.framework,
    packageDigest: manifest.packageDigest,
    checked: listed.size,
    problems,
  };
}

function renderEvidenceHtml(
  r: GapReport,
  controls: ControlGap[],
  exemptions: {
    id: string;
    category: string;
    owner: string;
    justification: string;
    expiresOn: string | null;
    state: string;
    createdBy: string;
    createdAt: string;
    source: string;
    findings: string[];
  }[],
  snapshots: Map<string, string>,
): string {
  const s = r.summary;
  const order: (keyof typeof STATUS_LABEL)[] = ["failed", "exempted", "passed", "not-assessed", "manual", "not-applicable", "out-of-scope"];
  const detail = sortedControls({ ...r, controls })
    .map((c) => {
      const failing = c.failing
        .map(
          (f) =>
            `<tr><td>${escHtml(f.resourceName)}<br><small class="muted">${escHtml(f.resourceType)}</small></td><td>${escHtml(f.recommendation)}</td><td>${escHtml(f.rawStatus)}</td><td>${escHtml(f.status)}</td><td>${escHtml(f.statusChangeDate ?? f.firstSeen ?? "")}</td><td>${f.exemption ? `${escHtml(f.exemption.id)} · ${escHtml(f.exemption.category)} · ${escHtml(f.exemption.owner)}: ${escHtml(f.exemption.justification)} (until ${escHtml(f.exemption.expiresOn ?? "no expiry")})` : ""}</td><td><code>${escHtml(snapshots.get(f.resourceId.toLowerCase()) ?? "")}</code></td></tr>`,
        )
        .join("");
      const passing = c.passing
        .slice(0, 15)
        .map(
          (p) =>
            `<tr><td>${escHtml(p.resourceId.split("/").pop())}</td><td>${escHtml(p.recommendation)}</td><td>Healthy</td><td>${escHtml(p.statusChangeDate ?? p.firstEvaluationDate ?? "")}</td><td><code>${escHtml(snapshots.get(p.resourceId.toLowerCase()) ?? "")}</code></td></tr>`,
        )
        .join("");
      return `<div class="control"><h3>${escHtml(c.controlId)} ${c.title ? `· ${escHtml(c.title)}` : ""} — raw ${statusSpan(c.rawStatus)}, now ${statusSpan(c.status)}</h3>
<p>${escHtml(c.reason)}. Evidence file: <code>controls/${escHtml(safeName(c.controlId))}.json</code></p>
${c.attestation ? `<p>Attestation: ${escHtml(c.attestation.status)} by ${escHtml(c.attestation.by)} on ${escHtml(c.attestation.date)} — ${escHtml(c.attestation.evidence)}</p>` : ""}
${failing ? `<table><thead><tr><th>resource</th><th>assessment</th><th>raw</th><th>after exemptions</th><th>status since</th><th>exemption (who, why, until)</th><th>state snapshot</th></tr></thead><tbody>${failing}</tbody></table>` : ""}
${passing ? `<table><thead><tr><th>resource</th><th>assessment</th><th>status</th><th>since</th><th>state snapshot</th></tr></thead><tbody>${passing}</tbody></table>${c.passing.length > 15 ? `<p class="muted">${c.passing.length - 15} more healthy assessments in the control's evidence file.</p>` : ""}` : ""}
${c.closeWith?.policies[0] ? `<p class="muted">Closes with: ${escHtml(c.closeWith.policies[0].name)} — <code>${escHtml(c.closeWith.policies[0].assign)}</code></p>` : ""}
</div>`;
    })
    .join("\n");
  const exRows = exemptions
    .map(
      (e) =>
        `<tr><td>${escHtml(e.id)}</td><td>${escHtml(e.state)}</td><td>${escHtml(e.category)}</td><td>${escHtml(e.owner)}</td><td>${escHtml(e.justification)}</td><td>${escHtml(e.expiresOn ?? "none")}</td><td>${escHtml(e.createdBy)} at ${escHtml(e.createdAt)} (${escHtml(e.source)})</td><td>${e.findings.length}</td></tr>`,
    )
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Evidence: ${escHtml(r.framework.name)} ${escHtml(r.framework.version)}</title><style>${BASE_CSS}</style></head><body>
<h1>Compliance evidence: ${escHtml(r.framework.name)} ${escHtml(r.framework.version)} <code>${escHtml(r.framework.id)}</code></h1>
<p>Generated ${escHtml(r.generatedAt)} by Clarion${r.organization ? ` for ${escHtml(r.organization)}` : ""}. Control mapping derived from the built-in Azure Policy initiative “${escHtml(r.framework.initiative.displayName)}” version ${escHtml(r.framework.initiative.version)} (<code>${escHtml(r.framework.initiative.id)}</code>). Subscriptions: ${escHtml(r.scope.subscriptions.join(", "))}.</p>
<p class="muted">Every file of this package is listed with its SHA-256 in <code>manifest.json</code>; <code>clarion compliance verify DIR</code> detects any change.${r.passesKnown ? "" : " Healthy assessments were not recorded for this run, so no control shows as passed."}</p>
<h2>Summary</h2>
<table><thead><tr><th>status</th><th>raw (Defender)</th><th>after exemptions and declarations</th></tr></thead><tbody>
${order.map((k) => `<tr><td>${statusSpan(k)}</td><td>${s.raw[k]}</td><td>${s.post[k]}</td></tr>`).join("\n")}
</tbody></table>
<h2>Exemptions</h2>
${exRows ? `<table><thead><tr><th>id</th><th>state</th><th>category</th><th>owner</th><th>justification</th><th>expires</th><th>recorded</th><th>findings</th></tr></thead><tbody>${exRows}</tbody></table>` : "<p>None.</p>"}
<h2>All controls</h2>
<table><thead><tr><th>control</th><th>title</th><th>raw (Defender)</th><th>after exemptions</th><th>why</th></tr></thead><tbody>
${sortedControls(r)
  .map(
    (c) =>
      `<tr><td>${escHtml(c.controlId)}</td><td>${escHtml(c.title ?? "")}</td><td>${statusSpan(c.rawStatus)}</td><td>${statusSpan(c.status)}</td><td>${escHtml(c.reason)}</td></tr>`,
  )
  .join("\n")}
</tbody></table>
<h2>Per-control evidence (${controls.length} controls with evidence of ${s.controls})</h2>
${detail}
</body></html>
`;
}
