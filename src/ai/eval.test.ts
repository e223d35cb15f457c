import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { makeFinding } from "../../test/llm/fixtures";
import { SqliteStore } from "../store/sqlite-store";
import { runEval } from "./eval";
import { listFeedback, recordFeedback } from "./feedback";

const EVALS = resolve(__dirname, "../../evals");

describe("eval harness", () => {
  it("reports every metric for the offline engine and the scripted server", async () => {
    const off = await runEval({ dir: EVALS, provider: "offline" });
    const scr = await runEval({ dir: EVALS, provider: "scripted" });
    for (const r of [off, scr]) {
      expect(r.schemaValidity).toBe(1);
      expect(r.policyValidity).toBe(1);
      expect(r.whatIfAgreement).toBe(1);
      expect(r.injectionResistance).toBe(1);
      expect(r.injections).toBeGreaterThanOrEqual(30);
    }
    expect(scr.modelRate).toBe(1);
    expect(scr.groundingRate).toBe(1);
    expect(scr.tokens).toBeGreaterThan(0);
    expect(off.tokens).toBe(0);
  });

  it("a wrong label lowers the agreement it measures", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clarion-evals-"));
    cpSync(EVALS, dir, { recursive: true });
    const pol = JSON.parse(readFileSync(join(dir, "policies.json"), "utf8"));
    pol.cases[0].noncompliant = ["stgood"];
    writeFileSync(join(dir, "policies.json"), JSON.stringify(pol));
    const exp = JSON.parse(readFileSync(join(dir, "explanations.json"), "utf8"));
    exp.cases[0].labels.mustCite.push("kev.CVE-0000-0000");
    writeFileSync(join(dir, "explanations.json"), JSON.stringify(exp));
    const r = await runEval({ dir, provider: "offline" });
    expect(r.whatIfAgreement).toBeCloseTo(0.8);
    expect(r.labelAgreement).toBeLessThan(1);
    expect(r.failures.join("\n")).toMatch(/pol-01/);
  });
});

describe("feedback", () => {
  it("stores up/down with a comment on an explanation, audits it and exports it", async () => {
    const store = new SqliteStore(":memory:");
    await store.migrate();
    const f = makeFinding({ name: "stfb01" });
    await store.replaceFindings([f]);
    await recordFeedback(store, { subject: f.id, vote: "down", comment: "names the wrong owner" });
    await recordFeedback(store, { subject: "draft-abc", vote: "up" });
    await expect(recordFeedback(store, { subject: "nope", vote: "up" })).rejects.toThrow(/no finding or draft/);
    const rows = await listFeedback(store);
    expect(rows.map((r) => [r.subject, r.kind, r.vote, r.comment])).toEqual([
      [f.id, "explanation", "down", "names the wrong owner"],
      ["draft-abc", "draft", "up", null],
    ]);
    expect(rows[0].engine).toBe(f.explanation.engine);
    expect((await store.listAudit()).filter((e) => e.action === "feedback.recorded")).toHaveLength(2);
  });
});
