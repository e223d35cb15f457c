import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../src/testing/shared";

const CLI = join(REPO_ROOT, "bin", "clarion.mjs");
const demo = (out: string, ...extra: string[]) => execFileSync(process.execPath, [CLI, "demo", "--out", out, "--quiet", "--seed", "7", "--now", "2026-11-20T12:00:00Z", ...extra], { encoding: "utf8", maxBuffer: 64 << 20 });

describe("clarion demo --via-api", () => {
  it("reads the tenant back through the real Azure clients and the HTTPS simulator and finds exactly what the direct demo finds", () => {
    const direct = mkdtempSync(join(tmpdir(), "clarion-direct-"));
    const via = mkdtempSync(join(tmpdir(), "clarion-via-"));
    demo(direct);
    demo(via, "--via-api");
    const a = JSON.parse(readFileSync(join(direct, "findings.json"), "utf8"));
    const b = JSON.parse(readFileSync(join(via, "findings.json"), "utf8"));
    expect(b.length).toBeGreaterThan(100);
    expect(b).toEqual(a);
    const sa = JSON.parse(readFileSync(join(direct, "summary.json"), "utf8"));
    const sb = JSON.parse(readFileSync(join(via, "summary.json"), "utf8"));
    expect(sb.counts).toEqual(sa.counts);
    expect(sb.source).toMatch(/via the Azure APIs/);
  }, 120_000);

  it("streams an export that `clarion run` turns into the same findings as the demo", () => {
    const direct = mkdtempSync(join(tmpdir(), "clarion-direct-"));
    const exported = mkdtempSync(join(tmpdir(), "clarion-export-"));
    const ran = mkdtempSync(join(tmpdir(), "clarion-run-"));
    demo(direct);
    demo(ran, "--export", exported);
    execFileSync(process.execPath, [CLI, "run", "--input", exported, "--out", ran, "--quiet", "--now", "2026-11-20T12:00:00Z"], { encoding: "utf8", maxBuffer: 64 << 20 });
    const a = JSON.parse(readFileSync(join(direct, "findings.json"), "utf8"));
    const b = JSON.parse(readFileSync(join(ran, "findings.json"), "utf8"));
    expect(b.map((f: { id: string }) => f.id)).toEqual(a.map((f: { id: string }) => f.id));
    expect(b.map((f: { risk: { score: number } }) => f.risk.score)).toEqual(a.map((f: { risk: { score: number } }) => f.risk.score));
  }, 120_000);
});
