import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main";
import { recommendBaseline } from "../../src/compliance/baseline";
import { frameworkCatalog } from "../../src/compliance/catalog";
import { loadComplianceInput } from "../../src/compliance/context";
import { correlate } from "../../src/compliance/correlate";
import { analyzeGaps, type ComplianceInput } from "../../src/compliance/gaps";
import { recordAssessments } from "../../src/compliance/persist";
import type { Finding } from "../../src/domain/finding";
import type { ArmResource } from "../../src/domain/resource";
import { rawTenantRows } from "../../src/pipeline/normalize";
import { runPipeline } from "../../src/pipeline/run";
import { type DemoTenant, generateDemoTenant } from "../../src/sources/demo/index";
import { openStore } from "../../src/store/open-store";
import { REPO_ROOT } from "../../src/testing/shared";
import { type TestBackend, testBackends } from "../../src/workflow/test-stores";

const CLI = join(REPO_ROOT, "bin", "clarion.mjs");
const NOW = new Date("2026-11-20T12:00:00Z");

/** The real binary, in a child process (used where the exit code of the process matters). */
function clarionProcess(...args: string[]): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8",
    cwd: REPO_ROOT,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: "1", CLARION_ACTOR: "auditor-test" },
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
}

/** The same CLI in-process (the child's tsx start-up costs ~1 s a call): stdout/stderr captured, exit code returned. */
async function clarion(...args: string[]): Promise<{ stdout: string; stderr: string; status: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const [ow, ew] = [process.stdout.write, process.stderr.write];
  const saved = process.exitCode;
  process.exitCode = 0;
  process.env.CLARION_ACTOR = "auditor-test";
  process.stdout.write = ((s: string | Uint8Array) => out.push(String(s)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => err.push(String(s)) > 0) as typeof process.stderr.write;
  try {
    await main(["node", "clarion", ...args]);
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
  const status = Number(process.exitCode ?? 0);
  process.exitCode = saved;
  return { stdout: out.join(""), stderr: err.join(""), status };
}

interface Run {
  dir: string;
  db: string;
  tenant: DemoTenant;
  input: ComplianceInput;
}

/** Runs the demo pipeline into a store: an SQLite file in the run's folder, or a fresh database of `backend`. */
async function prepare(seed: number, backend?: TestBackend): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), `clarion-compliance-${seed}-`));
  const tenant = await generateDemoTenant({ seed, now: NOW });
  const store = backend ? await backend.open() : await openStore(join(dir, "clarion.db"));
  const db = backend ? backend.locator(store) : join(dir, "clarion.db");
  try {
    const r = await runPipeline({ source: `demo seed ${seed}`, rows: rawTenantRows(tenant, "demo"), outDir: dir, store, now: NOW });
    await recordAssessments(store, r.tenant.assessments);
    return { dir, db, tenant, input: await loadComplianceInput(store, NOW) };
  } finally {
    await store.close();
  }
}

const subscriptionByEnv = (resources: ArmResource[], env: RegExp) =>
  resources.find(
    (r) =>
      r.type === "microsoft.resources/subscriptions" &&
      Object.entries(r.tags ?? {}).some(([k, v]) => /^env/i.test(k) && env.test(String(v))),
  )?.subscriptionId as string;

/** The demo's own regulatory-compliance rows (what Defender's dashboard would show), per standard. */
function defenderControlStates(tenant: DemoTenant, standard: string): Map<string, Set<string>> {
  const states = new Map<string, Set<string>>();
  for (const r of tenant.securityResources) {
    if (
      r.type !== "microsoft.security/regulatorycompliancestandards/regulatorycompliancecontrols" ||
      !r.id.includes(`/regulatoryComplianceStandards/${standard}/`)
    )
      continue;
    const set = states.get(r.name) ?? new Set();
    set.add(String((r.properties as { state: string }).state));
    states.set(r.name, set);
  }
  return states;
}

for (const seed of [42, 7]) {
  describe(`compliance on the demo tenant, seed ${seed}`, () => {
    let run: Run;
    beforeAll(async () => {
      run = await prepare(seed);
    }, 120_000);
    afterAll(() => rmSync(run.dir, { recursive: true, force: true }));

    it("classifies every control consistently with the findings and the healthy assessments", () => {
      const catalog = frameworkCatalog();
      const byId = new Map(run.input.findings.map((f) => [f.id, f]));
      for (const fw of ["mcsb", "cis-azure-2.0.0", "nist-800-53-r5", "pci-dss-4.0"]) {
        const r = analyzeGaps(catalog, fw, run.input);
        expect(Object.values(r.summary.raw).reduce((a, b) => a + b, 0)).toBe(catalog.get(fw)?.controls.length);
        expect(r.summary.raw.failed).toBeGreaterThan(0);
        for (const c of r.controls) {
          if (c.rawStatus === "failed") {
            expect(c.failing.length).toBeGreaterThan(0);
            for (const item of c.failing)
              expect(byId.get(item.findingId)?.controls.some((x) => x.framework === fw && x.controlId === c.controlId)).toBe(true);
            expect(c.closeWith?.initiative.id).toBe(catalog.get(fw)?.initiative.id);
          }
          if (c.rawStatus === "passed") {
            expect(c.failing).toEqual([]);
            expect(c.passing.length).toBeGreaterThan(0);
            for (const p of c.passing) expect(run.input.assessments?.find((a) => a.id === p.assessmentId)?.status).toBe("Healthy");
          }
          if (c.rawStatus === "manual") expect(c.policies.automated).toBe(0);
          if (c.rawStatus === "not-assessed") expect(c.policies.automated).toBeGreaterThan(0);
        }
      }
    });

    it("agrees with the tenant's own regulatory-compliance results: a control Defender fails is failed here, never passed", () => {
      const catalog = frameworkCatalog();
      for (const [fw, standard] of [
        ["mcsb", "Microsoft-cloud-security-benchmark"],
        ["nist-800-53-r5", "NIST-SP-800-53-R5"],
        ["cis-azure-2.0.0", "CIS-Azure-Foundations-v2.0.0"],
      ]) {
        const states = defenderControlStates(run.tenant, standard);
        expect(states.size).toBeGreaterThan(0);
        const r = analyzeGaps(catalog, fw, run.input);
        const status = new Map(r.controls.map((c) => [c.controlId, c.rawStatus]));
        for (const [control, s] of states) {
          if (s.has("Failed")) expect(status.get(control), `${fw} ${control}`).toBe("failed");
          else if (s.has("Passed")) expect(status.get(control), `${fw} ${control}`).toBe("passed");
        }
      }
    });

    it("correlation: a control counted as closed has no open failure from any other recommendation", () => {
      const fixes = correlate(run.input.findings);
      expect(fixes.length).toBeGreaterThan(5);
      expect(fixes[0].closes.length).toBeGreaterThanOrEqual(fixes[fixes.length - 1].closes.length);
      expect(fixes[0].headline).toMatch(/^one fix on \d+ resources? closes \d+ controls? in \d+ frameworks?/);
      for (const fix of fixes.slice(0, 10))
        for (const key of fix.closes) {
          const [framework, controlId] = [key.slice(0, key.indexOf("/")), key.slice(key.indexOf("/") + 1)];
          const others = run.input.findings.filter(
            (f: Finding) =>
              f.status === "Unhealthy" &&
              !f.exemption &&
              f.recommendation.id !== fix.recommendationId &&
              f.controls.some((c) => c.framework === framework && c.controlId === controlId),
          );
          expect(others, key).toEqual([]);
        }
    });

    it("baseline: production and development subscriptions get different plans and initiatives, with reasons", () => {
      const catalog = frameworkCatalog();
      const prod = recommendBaseline(catalog, run.input.resources, run.input.findings, subscriptionByEnv(run.input.resources, /^prod/i));
      const dev = recommendBaseline(catalog, run.input.resources, run.input.findings, subscriptionByEnv(run.input.resources, /^dev/i));
      expect(prod.purpose).toBe("production");
      expect(dev.purpose).toBe("development");
      expect(prod.purposeReasons.join(" ")).toMatch(/tag/);
      const plan = (b: typeof prod, p: string) => b.plans.find((x) => x.plan === p);
      expect(plan(prod, "VirtualMachines")).toMatchObject({ recommended: "Standard", subPlan: "P2" });
      expect(plan(prod, "CloudPosture")?.recommended).toBe("Standard");
      for (const p of prod.plans) expect(p.reasons.length).toBeGreaterThan(0);
      expect(prod.initiatives.map((i) => i.framework)).toContain("mcsb");
      expect(prod.initiatives.map((i) => i.framework)).toContain("cis-azure-3.0.0");
      if (prod.dataClassifications.some((d) => /pci/i.test(d))) expect(prod.initiatives.map((i) => i.framework)).toContain("pci-dss-4.0");
      if (dev.dataClassifications.some((d) => /pii|pci|confidential/i.test(d)))
        expect(dev.notes.join(" ")).toMatch(/development subscription holds data tagged/);
      expect(prod.notes.join(" ")).not.toMatch(/development subscription/);
      expect(dev.plans.filter((p) => p.recommended === "Standard").length).toBeLessThan(
        prod.plans.filter((p) => p.recommended === "Standard").length,
      );
      // plans that are on but recommended Free are flagged, plans that are off but needed are "enable"
      for (const p of [...prod.plans, ...dev.plans])
        expect(p.action).toMatch(
          p.recommended === "Standard"
            ? p.current === "Standard"
              ? /^keep$/
              : /^enable$/
            : p.current === "Standard"
              ? /^(optional|consider disabling)$/
              : /^not needed$/,
        );
      expect(() => recommendBaseline(catalog, run.input.resources, run.input.findings, "00000000-0000-0000-0000-000000000000")).toThrow(
        /no subscription/,
      );
    });
  });
}

describe("compliance frameworks", () => {
  it("lists the frameworks with stable ids (the real binary)", () => {
    const r = clarionProcess("compliance", "frameworks", "-o", "json");
    expect(r.status).toBe(0);
    const ids = JSON.parse(r.stdout).map((f: { id: string }) => f.id);
    for (const id of ["nist-800-53-r5", "cis-azure-2.0.0", "pci-dss-4.0", "iso-27001-2013", "mcsb"]) expect(ids).toContain(id);
  });
});

/** The first gap analysis of each store, so the PostgreSQL run can be compared with the SQLite one. */
const firstGaps = new Map<string, { summary: unknown; controls: unknown }>();

describe.each(testBackends("compliance_cli"))(
  "compliance through the CLI on $name (seed 42): exemptions, gaps, evidence package, verify",
  (backend) => {
    let run: Run;
    beforeAll(async () => {
      run = await prepare(42, backend);
    }, 120_000);
    afterAll(async () => {
      rmSync(run.dir, { recursive: true, force: true });
      await backend.cleanup();
    });

    it("exempts every failing finding of one control: raw failed, post exempted; expired exemptions are reported and not applied", async () => {
      const gaps = async (...extra: string[]) =>
        JSON.parse((await clarion("compliance", "gaps", "--db", run.db, "--framework", "mcsb", "-o", "json", ...extra)).stdout);
      const before = await gaps();
      firstGaps.set(backend.name, { summary: before.summary, controls: before.controls });
      // The same run stored in PostgreSQL gives the same analysis as in SQLite (the SQLite suite runs first).
      if (backend.name === "postgres") expect(firstGaps.get("postgres")).toEqual(firstGaps.get("sqlite"));
      const target = before.controls
        .filter((c: { rawStatus: string; failing: unknown[] }) => c.rawStatus === "failed")
        .sort((a: { failing: unknown[] }, b: { failing: unknown[] }) => a.failing.length - b.failing.length)[0];
      expect(target).toBeDefined();
      const ids: string[] = [...new Set<string>(target.failing.map((f: { findingId: string }) => f.findingId))];
      for (const id of ids) {
        const r = await clarion(
          "compliance",
          "exempt",
          "--db",
          run.db,
          "--finding",
          id,
          "--owner",
          "ciso@fabrikam.example",
          "--justification",
          "compensating control: WAF with deny rules",
          "--category",
          "mitigated",
          "--days",
          "90",
          "-o",
          "json",
        );
        expect(r.status, r.stderr).toBe(0);
      }
      // an expired resource-level exemption elsewhere: listed as expired, applies to nothing
      const other = run.input.findings.find((f) => !ids.includes(f.id));
      expect(
        (
          await clarion(
            "compliance",
            "exempt",
            "--db",
            run.db,
            "--resource",
            other?.resourceId ?? "",
            "--owner",
            "ops@fabrikam.example",
            "--justification",
            "decommissioning",
            "--category",
            "waiver",
            "--expires",
            "2026-01-01",
          )
        ).status,
      ).toBe(0);
      const after = await gaps();
      const control = after.controls.find((c: { controlId: string }) => c.controlId === target.controlId);
      expect([control.rawStatus, control.status]).toEqual(["failed", "exempted"]);
      expect(
        control.failing.every(
          (f: { status: string; exemption: { owner: string } }) => f.status === "Exempt" && f.exemption.owner === "ciso@fabrikam.example",
        ),
      ).toBe(true);
      expect(after.summary.post.exempted).toBe(before.summary.post.exempted + 1);
      expect(after.exemptions.expired).toHaveLength(1);

      const side = JSON.parse(
        (await clarion("compliance", "exemptions", "findings", "--db", run.db, "--exempt-only", "-o", "json")).stdout,
      );
      expect(side.map((r: { id: string }) => r.id).sort()).toEqual(ids.sort());
      expect(side.every((r: { rawStatus: string; status: string }) => r.rawStatus === "Unhealthy" && r.status === "Exempt")).toBe(true);
      const expired = JSON.parse(
        (await clarion("compliance", "exemptions", "list", "--db", run.db, "--state", "expired", "-o", "json")).stdout,
      );
      expect(expired).toHaveLength(1);
      expect(expired[0].findings).toBe(0);
      // the stored findings carry the exemption (what report.html, the API and Sentinel see)
      const stored = JSON.parse((await clarion("explain", ids[0], "--db", run.db, "-o", "json")).stdout);
      expect(stored.exemption).toMatchObject({ category: "mitigated", owner: "ciso@fabrikam.example" });
      // correlation drops the exempted findings
      const fixes = JSON.parse((await clarion("compliance", "correlate", "--db", run.db, "-o", "json", "--top", "500")).stdout);
      expect(fixes.flatMap((f: { closes: string[]; touches: string[] }) => [...f.closes, ...f.touches])).not.toContain(
        `mcsb/${target.controlId}`,
      );
    });

    it("imports Azure policy exemptions from an export", async () => {
      const sub = subscriptionByEnv(run.input.resources, /^dev/i);
      const file = join(run.dir, "exemptions.json");
      writeFileSync(
        file,
        JSON.stringify({
          value: [
            {
              id: `/subscriptions/${sub}/providers/Microsoft.Authorization/policyExemptions/dev-waiver`,
              name: "dev-waiver",
              type: "Microsoft.Authorization/policyExemptions",
              properties: {
                policyAssignmentId: `/subscriptions/${sub}/providers/Microsoft.Authorization/policyAssignments/SecurityCenterBuiltIn`,
                exemptionCategory: "Waiver",
                expiresOn: new Date(Date.now() + 20 * 86_400_000).toISOString(),
                description: "Sandbox subscription",
                metadata: { owner: "platform@fabrikam.example" },
              },
            },
          ],
        }),
      );
      const r = await clarion("compliance", "exemptions", "import", file, "--db", run.db, "-o", "json");
      expect(r.status, r.stderr).toBe(0);
      const [row] = JSON.parse(r.stdout);
      const devOpen = run.input.findings.filter(
        (f) =>
          f.subscriptionId === sub &&
          f.recommendation.policyDefinitionId &&
          frameworkCatalog().get("mcsb")?.policies[f.recommendation.policyDefinitionId.split("/").pop()?.toLowerCase() ?? ""],
      );
      expect(row.findings).toBeGreaterThan(0);
      expect(row.findings).toBeLessThanOrEqual(devOpen.length);
      const list = JSON.parse(
        (await clarion("compliance", "exemptions", "list", "--db", run.db, "--state", "expiring", "-o", "json")).stdout,
      );
      expect(list.map((e: { source: string }) => e.source)).toContain("azure-policy");
    });

    it("writes gaps as Markdown and HTML, honouring a declared file", async () => {
      const declared = join(run.dir, "declared.yaml");
      writeFileSync(
        declared,
        "framework: pci-dss-4.0\norganization: Fabrikam\nnotApplicable:\n  - controlId: '9.4.1'\n    reason: no physical media in scope\nattestations:\n  - controlId: '12.1.1'\n    status: passed\n    evidence: Information security policy v3, approved by the board\n    by: ciso@fabrikam.example\n    date: '2026-09-01'\n",
      );
      const md = await clarion("compliance", "gaps", "--db", run.db, "--framework", "pci-dss-4.0", "--declared", declared, "-o", "md");
      expect(md.status, md.stderr).toBe(0);
      expect(md.stdout).toMatch(/^# Gap analysis: PCI DSS 4.0/);
      expect(md.stdout).toMatch(/\| 9\.4\.1 \|.*\| not applicable \| declared not applicable: no physical media/);
      expect(md.stdout).toMatch(/\| 12\.1\.1 \|.*\| manual \| passed \| attested passed by ciso@fabrikam\.example/);
      const html = await clarion("compliance", "gaps", "--db", run.db, "--framework", "pci-dss-4.0", "--declared", declared, "-o", "html");
      expect(html.stdout).toMatch(/^<!doctype html>/);
      expect(html.stdout).toContain("az policy assignment create");
      const bad = join(run.dir, "bad.yaml");
      writeFileSync(bad, "notApplicable:\n  - controlId: 'Z.9'\n    reason: x\n");
      const r = await clarion("compliance", "gaps", "--db", run.db, "--framework", "pci-dss-4.0", "--declared", bad);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/Z\.9.*not a control of pci-dss-4\.0/);
      expect((await clarion("compliance", "gaps", "--db", run.db, "--framework", "nope")).status).toBe(3);
    });

    it("builds the evidence package (HTML, PDF, per-control evidence, manifest) and verify detects one tampered file", async () => {
      const out = join(run.dir, "evidence");
      // The PDF does not depend on the store: rendered (and looked at) on SQLite only.
      const pdf = backend.name === "sqlite" ? [] : ["--no-pdf"];
      const r = await clarion("compliance", "evidence", "--db", run.db, "--framework", "mcsb", "--out", out, ...pdf);
      expect(r.status, r.stderr).toBe(0);
      const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
      const paths = manifest.files.map((f: { path: string }) => f.path);
      for (const p of ["index.html", "gaps.json", "exemptions.json"]) expect(paths).toContain(p);
      expect(paths.filter((p: string) => p.startsWith("controls/")).length).toBeGreaterThan(5);
      expect(paths.filter((p: string) => p.startsWith("resources/")).length).toBeGreaterThan(5);
      const control = JSON.parse(readFileSync(join(out, paths.find((p: string) => p.startsWith("controls/NS-2")) ?? ""), "utf8"));
      expect(control.failing[0]).toMatchObject({ rawStatus: "Unhealthy" });
      expect(existsSync(join(out, control.failing[0].resourceSnapshot))).toBe(true);
      expect(control.evaluatedAt).toBeTruthy();

      expect((await clarion("compliance", "verify", out, "--db", run.db)).stdout).toMatch(/^OK .*\n {2}audit log: package digest recorded/);
      appendFileSync(join(out, "controls", "NS-2.json"), " ");
      const bad = clarionProcess("compliance", "verify", out, "-o", "json");
      expect(bad.status).not.toBe(0);
      expect(JSON.parse(bad.stdout).problems).toEqual([{ path: "controls/NS-2.json", problem: "modified" }]);
      rmSync(join(out, "exemptions.json"));
      writeFileSync(join(out, "extra.txt"), "slipped in");
      const worse = JSON.parse((await clarion("compliance", "verify", out, "-o", "json")).stdout);
      expect(worse.problems).toEqual(
        expect.arrayContaining([
          { path: "exemptions.json", problem: "missing" },
          { path: "extra.txt", problem: "unexpected" },
        ]),
      );

      // The PDF: rendered by chromium, first page rasterized with pdftoppm and looked at.
      if (backend.name !== "sqlite") return;
      if (!manifest.pdf.rendered) {
        console.warn(`SKIP (evidence PDF): ${manifest.pdf.note}`);
        return;
      }
      expect(paths).toContain("evidence.pdf");
      expect(readFileSync(join(out, "evidence.pdf")).subarray(0, 5).toString()).toBe("%PDF-");
      const hasPoppler = spawnSync("pdftoppm", ["-v"]).status === 0;
      if (!hasPoppler) {
        console.warn("SKIP (evidence PDF first page): pdftoppm (Debian poppler-utils) is not installed");
        return;
      }
      execFileSync("pdftoppm", [
        "-f",
        "1",
        "-l",
        "1",
        "-r",
        "40",
        "-gray",
        "-singlefile",
        join(out, "evidence.pdf"),
        join(run.dir, "page"),
      ]);
      const pgm = readFileSync(join(run.dir, "page.pgm"));
      const { width, height, pixels } = parsePgm(pgm);
      expect(width).toBeGreaterThan(200);
      expect(height).toBeGreaterThan(width); // portrait page
      const dark = pixels.filter((p) => p < 128).length / pixels.length;
      expect(dark).toBeGreaterThan(0.005); // there is text on it
      expect(dark).toBeLessThan(0.5); // and it is not a black page
      const text = execFileSync("pdftotext", ["-f", "1", "-l", "1", join(out, "evidence.pdf"), "-"], { encoding: "utf8" });
      expect(text).toMatch(/Compliance evidence: Microsoft cloud security benchmark/);
      expect(text).toMatch(/Summary/);
    });
  },
);

/** Binary PGM (P5), as pdftoppm -gray writes it. */
function parsePgm(buf: Buffer): { width: number; height: number; pixels: Uint8Array } {
  const header: string[] = [];
  let i = 0;
  while (header.length < 4) {
    while (/\s/.test(String.fromCharCode(buf[i]))) i++;
    let tok = "";
    while (!/\s/.test(String.fromCharCode(buf[i]))) tok += String.fromCharCode(buf[i++]);
    header.push(tok);
  }
  i++;
  expect(header[0]).toBe("P5");
  const [width, height] = [Number(header[1]), Number(header[2])];
  return { width, height, pixels: new Uint8Array(buf.subarray(i, i + width * height)) };
}
