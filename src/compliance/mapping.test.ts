import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { needShared, realdata } from "../testing/shared";
import { FrameworkCatalog, policyGuid } from "./catalog";
import { FRAMEWORK_SOURCES } from "./framework-sources";

/** Clarion's policy -> control mapping must agree with the real built-in initiatives on every pair they share. */
describe.skipIf(!needShared("compliance mapping vs the built-in initiatives"))("framework mapping vs initiatives", () => {
  const catalog = FrameworkCatalog.load();

  const initiativePairs = (file: string, controlId: (g: string) => string | undefined) => {
    const doc = JSON.parse(readFileSync(realdata("azure-policy/policySetDefinitions", file), "utf8").replace(/^\uFEFF/, ""));
    const pairs = new Map<string, Set<string>>();
    for (const ref of doc.properties.policyDefinitions) {
      const guid = policyGuid(ref.policyDefinitionId);
      for (const g of ref.groupNames ?? []) {
        const id = controlId(g);
        if (!id) continue;
        const set = pairs.get(guid) ?? new Set();
        set.add(id);
        pairs.set(guid, set);
      }
    }
    return { doc, pairs };
  };

  for (const src of FRAMEWORK_SOURCES) {
    it(`${src.id}: every policy both know maps to the same controls, and no side has extra policies`, () => {
      const fw = catalog.get(src.id);
      expect(fw, `frameworks/${src.id}.json`).toBeDefined();
      if (!fw) return;
      const { doc, pairs } = initiativePairs(src.initiativeFile, src.controlId);
      expect(policyGuid(fw.initiative.id)).toBe(policyGuid(doc.id ?? doc.name));
      const ours = Object.keys(fw.policies);
      const theirs = [...pairs.keys()];
      const shared = ours.filter((g) => pairs.has(g));
      expect(shared.length).toBeGreaterThan(0);
      const disagreements = shared.filter((g) => [...(pairs.get(g) ?? [])].sort().join(",") !== [...fw.policies[g]].sort().join(","));
      expect(disagreements).toEqual([]);
      expect(ours.filter((g) => !pairs.has(g))).toEqual([]);
      expect(theirs.filter((g) => !fw.policies[g])).toEqual([]);
      // every control we list is a group of the initiative or a mapped control
      const groups = new Set(
        (doc.properties.policyDefinitionGroups ?? []).map((g: { name: string }) => src.controlId(g.name)).filter(Boolean),
      );
      for (const set of pairs.values()) for (const id of set) groups.add(id);
      expect(fw.controls.map((c) => c.controlId).filter((id) => !groups.has(id))).toEqual([]);
      // reference ids resolve to the same GUIDs as the initiative
      for (const ref of doc.properties.policyDefinitions)
        if (ref.policyDefinitionReferenceId)
          expect(fw.references?.[ref.policyDefinitionReferenceId]).toBe(policyGuid(ref.policyDefinitionId));
    });
  }

  it("agrees with the independently derived policy-to-controls index on every shared (policy, framework) pair", () => {
    const initiativeToFramework = new Map(catalog.frameworks.map((f) => [policyGuid(f.initiative.id), f]));
    const source = new Map(FRAMEWORK_SOURCES.map((s) => [s.id, s]));
    let compared = 0;
    for (const line of readFileSync(realdata("azure-policy/derived/policy-to-controls.jsonl"), "utf8").split("\n")) {
      if (!line.trim()) continue;
      const row = JSON.parse(line) as { policyDefinitionId: string; controls: { initiativeId: string; group: string }[] };
      const guid = policyGuid(row.policyDefinitionId);
      const byFw = new Map<string, Set<string>>();
      for (const c of row.controls) {
        const fw = initiativeToFramework.get(policyGuid(c.initiativeId));
        if (!fw) continue;
        const id = source.get(fw.id)?.controlId(c.group);
        if (!id) continue;
        const set = byFw.get(fw.id) ?? new Set();
        set.add(id);
        byFw.set(fw.id, set);
      }
      for (const [fwId, ids] of byFw) {
        compared++;
        expect([...(catalog.get(fwId)?.policies[guid] ?? [])].sort(), `${fwId} ${guid}`).toEqual([...ids].sort());
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it("the policy index describes every mapped policy with its effects and kind", () => {
    for (const fw of catalog.frameworks)
      for (const guid of Object.keys(fw.policies)) {
        const info = catalog.policy(guid);
        expect(info, `${fw.id} ${guid}`).toBeDefined();
        expect(["automated", "manual", "microsoft-managed"]).toContain(info?.kind);
      }
    // a known deny-capable built-in: "Storage accounts should restrict network access"
    expect(catalog.policy("/providers/Microsoft.Authorization/policyDefinitions/34c877ad-507e-4c82-993e-3452a6e0ad3c")?.effects).toContain(
      "deny",
    );
  });
});

describe("catalog basics (no shared data needed)", () => {
  const catalog = FrameworkCatalog.load();
  it("has the stable framework ids the CLI contract names", () => {
    for (const id of ["nist-800-53-r5", "cis-azure-2.0.0", "pci-dss-4.0", "iso-27001-2013", "mcsb"])
      expect(catalog.get(id)?.controls.length).toBeGreaterThan(0);
  });
  it("policiesForControl is the inverse of controlsForPolicy", () => {
    const fw = catalog.get("mcsb");
    if (!fw) throw new Error("mcsb missing");
    for (const { controlId } of fw.controls.slice(0, 30))
      for (const guid of catalog.policiesForControl("mcsb", controlId))
        expect(catalog.controlsForPolicy(guid).some((c) => c.framework === "mcsb" && c.controlId === controlId)).toBe(true);
  });
});
