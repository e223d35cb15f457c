import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { beforeAll, describe, expect, it } from "vitest";
import { FindingSchema } from "../src/domain/finding";
import { verifyChain } from "../src/store/audit-chain";
import { REPO_ROOT } from "../src/testing/shared";

const CLI = join(REPO_ROOT, "bin", "clarion.mjs");
const clarion = (...args: string[]) => execFileSync(process.execPath, [CLI, ...args], { encoding: "utf8", cwd: REPO_ROOT, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } });

describe("clarion demo (end to end, through the CLI)", () => {
  const out = mkdtempSync(join(tmpdir(), "clarion-demo-"));
  let stdout = "";
  let findings: any[] = [];
  let summary: any;
  beforeAll(() => {
    stdout = clarion("demo", "--out", out, "--quiet", "--now", "2026-11-20T12:00:00Z");
    findings = JSON.parse(readFileSync(join(out, "findings.json"), "utf8"));
    summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
  }, 120_000);

  it("writes every output the contract names", () => {
    for (const f of ["findings.json", "summary.json", "report.html", "report.md", "sentinel/AI_CSPMRecommendations_CL.ndjson", "audit.jsonl", "clarion.db"]) expect(existsSync(join(out, f)), f).toBe(true);
  });

  it("prints the top 10 by risk and counts by severity and framework", () => {
    expect(stdout).toMatch(/Top 10 findings by risk/);
    expect(stdout).toMatch(/By severity:/);
    expect(stdout).toMatch(/By framework:.*nist-800-53-r5/);
    const ids = [...stdout.matchAll(/F-[0-9a-f]{12}/g)].map((m) => m[0]);
    expect(ids.slice(0, 10)).toEqual(findings.slice(0, 10).map((f) => f.id));
  });

  it("covers 600+ resources and 400+ unhealthy findings across 40+ recommendation types", () => {
    expect(summary.counts.resources).toBeGreaterThanOrEqual(600);
    expect(findings.length).toBeGreaterThanOrEqual(400);
    expect(new Set(findings.map((f) => f.recommendation.id)).size).toBeGreaterThanOrEqual(40);
  });

  it("writes findings that validate against the published JSON Schema and the zod schema", () => {
    const schema = JSON.parse(readFileSync(join(REPO_ROOT, "schemas", "finding.schema.json"), "utf8"));
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    for (const f of findings) {
      expect(validate(f), JSON.stringify(validate.errors?.slice(0, 2))).toBe(true);
      expect(FindingSchema.safeParse(f).success).toBe(true);
    }
  });

  it("orders findings by a risk score whose factor points sum to it", () => {
    for (let i = 1; i < findings.length; i++) expect(findings[i - 1].risk.score).toBeGreaterThanOrEqual(findings[i].risk.score);
    for (const f of findings) expect(f.risk.factors.reduce((a: number, x: any) => a + x.points, 0)).toBeCloseTo(f.risk.score, 1);
  });

  it("explains every unhealthy finding with the resource, environment, data class and frameworks, citing facts", () => {
    for (const f of findings) {
      const e = f.explanation;
      expect(e.summary).toContain(f.resourceName);
      if (f.environment !== "unknown") expect(e.summary).toContain(f.environment);
      const data = e.citations.find((c: any) => c.factId === "tag.dataClassification");
      if (data) expect(e.summary).toContain(data.value);
      if (f.controls.length) expect(f.controls.some((c: any) => e.complianceImpact.includes(c.controlId))).toBe(true);
      // Only controls the mapping supports are named.
      // (NIST SP 800-53 style ids; a NIST CSF subcategory such as PR.AA-05 is not one.)
      for (const m of e.complianceImpact.matchAll(/(?<![\w.])([A-Z]{2}-\d+(?:\(\d+\))?)(?![\w(])/g)) expect(f.controls.some((c: any) => c.controlId === m[1]), m[1]).toBe(true);
      const cited = new Set(e.citations.map((c: any) => c.factId));
      expect(cited.has("resource.name")).toBe(true);
    }
  });

  it("routes owners with the source recorded", () => {
    const sources = new Set(findings.map((f) => f.owner.source));
    expect(sources.has("resource-tag")).toBe(true);
    expect(sources.has("resource-group-tag")).toBe(true);
  });

  it("drafts az CLI and Azure Policy remediation with rollbacks for pack findings", () => {
    const withPack = findings.filter((f) => f.recommendation.packId);
    expect(new Set(withPack.map((f) => f.recommendation.packId)).size).toBeGreaterThanOrEqual(15);
    for (const f of withPack) {
      const kinds = new Set(f.remediation.map((r: any) => r.kind));
      expect(kinds.has("az-cli") && kinds.has("azure-policy"), f.recommendation.packId).toBe(true);
      for (const r of f.remediation) expect(r.rollback.length).toBeGreaterThan(5);
    }
  });

  it("writes one Sentinel row per finding in the PascalCase column contract", () => {
    const rows = readFileSync(join(out, "sentinel", "AI_CSPMRecommendations_CL.ndjson"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(rows).toHaveLength(findings.length);
    expect(Object.keys(rows[0])).toEqual(["TimeGenerated", ...Object.keys(findings[0]).map((k) => k[0].toUpperCase() + k.slice(1))]);
    expect(rows[0].Id).toBe(findings[0].id);
  });

  it("audits every generated output in a hash chain that verifies", () => {
    const events = readFileSync(join(out, "audit.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(verifyChain(events).ok).toBe(true);
    const written = events.filter((e) => e.action === "output.written").map((e) => e.subject);
    expect(written).toEqual(expect.arrayContaining(["findings.json", "summary.json", "report.html", "report.md", "sentinel/AI_CSPMRecommendations_CL.ndjson"]));
    expect(events.filter((e) => e.action === "explanation.generated")).toHaveLength(findings.length);
  });

  it("writes a validated Azure Policy draft per pack and a gap analysis per framework", () => {
    const index = JSON.parse(readFileSync(join(out, "policies-index.json"), "utf8"));
    const packs = new Set(findings.filter((f) => f.remediation.some((r: any) => r.kind === "azure-policy")).map((f) => f.recommendation.packId));
    expect(index.map((p: any) => p.pack).sort()).toEqual([...packs].sort());
    for (const p of index) {
      expect(p.valid, `${p.pack}: ${p.errors.join("; ")}`).toBe(true);
      expect(existsSync(join(out, p.file))).toBe(true);
    }
    // `policy validate` exits non-zero when any file is invalid (execFileSync would throw).
    expect(() => clarion("policy", "validate", join(out, "policies"))).not.toThrow();
    for (const fw of ["nist-800-53-r5", "pci-dss-4.0", "mcsb", "iso-27001-2013", "cis-azure-2.0.0"]) {
      expect(readFileSync(join(out, "compliance", `${fw}.md`), "utf8")).toMatch(/Gap analysis/);
      expect(JSON.parse(readFileSync(join(out, "compliance", `${fw}.json`), "utf8")).controls.length).toBeGreaterThan(0);
    }
  });

  it("reconciles ingest counts", () => {
    const i = summary.ingest;
    expect(i.accepted + i.rejected).toBe(i.read);
    expect(i.read).toBeGreaterThan(1000);
  });

  it("lists stored findings with filters, JMESPath queries and CSV", () => {
    const high = JSON.parse(clarion("findings", "--db", join(out, "clarion.db"), "-o", "json", "--severity", "High"));
    expect(high.length).toBe(findings.filter((f) => f.recommendation.severity === "High").length);
    const names = JSON.parse(clarion("findings", "--db", join(out, "clarion.db"), "-o", "json", "--framework", "pci-dss-4.0", "--query", "[].resourceName"));
    expect(names.length).toBe(findings.filter((f) => f.controls.some((c: any) => c.framework === "pci-dss-4.0")).length);
    const csv = clarion("findings", "--db", join(out, "clarion.db"), "-o", "csv", "--limit", "3");
    expect(csv.trim().split("\n")).toHaveLength(4);
    const text = clarion("explain", findings[0].id, "--db", join(out, "clarion.db"));
    expect(text).toContain("Why this rank:");
    expect(text).toContain(findings[0].resourceName);
  });

  it("fails clearly on a missing database", () => {
    expect(() => execFileSync(process.execPath, [CLI, "findings", "--db", join(out, "nope.db")], { encoding: "utf8", stdio: "pipe" })).toThrow(/no Clarion database/);
  });
});
