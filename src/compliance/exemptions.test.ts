import { describe, expect, it } from "vitest";
import type { Finding } from "../domain/finding";
import { FrameworkCatalog } from "./catalog";
import { correlate } from "./correlate";
import {
  applyExemptions,
  createExemption,
  type Exemption,
  effectiveExemption,
  exemptionState,
  importAzureExemptions,
  postExemptionStatus,
  subjectOf,
} from "./exemptions";

const SUB = "/subscriptions/11111111-1111-1111-1111-111111111111";
const NOW = new Date("2026-03-01T00:00:00Z");

function finding(
  id: string,
  rg: string,
  name: string,
  rec: string,
  controls: [string, string][],
  policy = "34c877ad-507e-4c82-993e-3452a6e0ad3c",
): Finding {
  return {
    id,
    resourceId: `${SUB}/resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/${name}`,
    resourceName: name,
    resourceType: "microsoft.storage/storageaccounts",
    subscriptionId: SUB.split("/")[2],
    resourceGroup: rg,
    environment: "production",
    recommendation: {
      id: rec,
      name: `rec ${rec}`,
      severity: "High",
      category: "Data",
      policyDefinitionId: `/providers/Microsoft.Authorization/policyDefinitions/${policy}`,
    },
    status: "Unhealthy",
    risk: { score: 50, level: "high", factors: [] },
    owner: { name: "x", email: null, source: "unknown" },
    controls: controls.map(([framework, controlId]) => ({ framework, version: "v", controlId })),
    attackPaths: [],
    rootCause: null,
    explanation: { summary: "", businessImpact: "", complianceImpact: "", citations: [], engine: "t", model: null, grounding: 1 },
    remediation: [],
    exemption: null,
  };
}

const base = {
  owner: "risk@fabrikam.example",
  justification: "compensating WAF in front",
  category: "mitigated",
  createdBy: "tester",
  now: NOW,
};

describe("exemptions", () => {
  const f1 = finding("F-1", "rg-a", "sta", "rec-net", [["mcsb", "NS-2"]]);
  const f2 = finding("F-2", "rg-a", "stb", "rec-net", [["mcsb", "NS-2"]]);
  const f3 = finding("F-3", "rg-b", "stc", "rec-tls", [["mcsb", "DP-3"]]);

  it("targets a single finding, a resource, a recommendation within a scope, or a scope", () => {
    const one = createExemption({ ...base, findingId: "F-1", expiresOn: "2026-06-01" });
    const res = createExemption({ ...base, resourceId: f3.resourceId.toUpperCase(), expiresOn: "2026-06-01" });
    const recInScope = createExemption({
      ...base,
      recommendationId: "rec-net",
      scope: `${SUB}/resourceGroups/rg-a`,
      expiresOn: "2026-06-01",
    });
    const scope = createExemption({ ...base, scope: `${SUB}/resourceGroups/rg-b`, expiresOn: "2026-06-01" });
    expect([one.target, res.target, recInScope.target, scope.target]).toEqual(["finding", "resource", "recommendation", "scope"]);
    expect(applyExemptions([f1, f2, f3], [one], NOW).map((f) => f.exemption?.id ?? null)).toEqual([one.id, null, null]);
    expect(applyExemptions([f1, f2, f3], [res], NOW).map((f) => f.exemption?.id ?? null)).toEqual([null, null, res.id]);
    expect(applyExemptions([f1, f2, f3], [recInScope], NOW).map((f) => f.exemption?.id ?? null)).toEqual([
      recInScope.id,
      recInScope.id,
      null,
    ]);
    expect(applyExemptions([f1, f2, f3], [scope], NOW).map((f) => f.exemption?.id ?? null)).toEqual([null, null, scope.id]);
    // a scope prefix must not match a sibling whose name merely starts the same way
    const prefix = createExemption({ ...base, scope: `${SUB}/resourceGroups/rg`, expiresOn: "2026-06-01" });
    expect(applyExemptions([f1], [prefix], NOW)[0].exemption).toBeNull();
  });

  it("the most specific active exemption wins; expired ones apply to nothing", () => {
    const broad = createExemption({ ...base, scope: SUB, category: "waiver", expiresOn: "2027-01-01" });
    const narrow = createExemption({ ...base, findingId: "F-1", expiresOn: "2026-04-01" });
    const expired = createExemption({ ...base, resourceId: f1.resourceId, expiresOn: "2026-02-01" });
    expect(effectiveExemption([broad, narrow, expired], subjectOf(f1), NOW)?.id).toBe(narrow.id);
    expect(effectiveExemption([expired], subjectOf(f1), NOW)).toBeUndefined();
    expect(exemptionState(expired, NOW)).toBe("expired");
    expect(exemptionState(narrow, NOW, 30)).toBe("active");
    expect(exemptionState(narrow, NOW, 45)).toBe("expiring");
    expect(exemptionState(createExemption({ ...base, findingId: "F-1" }), NOW)).toBe("active");
    const [exempt] = applyExemptions([f1], [narrow], NOW);
    expect([exempt.status, postExemptionStatus(exempt)]).toEqual(["Unhealthy", "Exempt"]);
    expect(exempt.exemption).toMatchObject({
      owner: base.owner,
      justification: base.justification,
      category: "mitigated",
      expiresOn: "2026-04-01T00:00:00.000Z",
    });
  });

  it("rejects exemptions without a target, a known category, an owner or a parseable expiry", () => {
    expect(() => createExemption({ ...base })).toThrow(/needs a target/);
    expect(() => createExemption({ ...base, findingId: "F-1", category: "accepted" })).toThrow(/mitigated or waiver/);
    expect(() => createExemption({ ...base, findingId: "F-1", owner: " " })).toThrow(/owner/);
    expect(() => createExemption({ ...base, findingId: "F-1", expiresOn: "next tuesday" })).toThrow(/not a date/);
    expect(() => createExemption({ ...base, scope: "rg-a" })).toThrow(/ARM id/);
  });

  it("correlation leaves exempted findings out unless asked for the raw view", () => {
    const ex = createExemption({ ...base, recommendationId: "rec-net", expiresOn: "2026-06-01" });
    const findings = applyExemptions([f1, f2, f3], [ex], NOW);
    expect(correlate(findings).map((c) => c.recommendationId)).toEqual(["rec-tls"]);
    expect(
      correlate(findings, { raw: true })
        .map((c) => c.recommendationId)
        .sort(),
    ).toEqual(["rec-net", "rec-tls"]);
  });
});

describe("Azure policy exemptions import", () => {
  const catalog = FrameworkCatalog.load();
  const mcsb = catalog.get("mcsb");
  const [refId, refGuid] = Object.entries(mcsb?.references ?? {})[0] ?? [];

  const exemptionRow = (name: string, scope: string, assignment: string, extra: Record<string, unknown> = {}) => ({
    id: `${scope}/providers/Microsoft.Authorization/policyExemptions/${name}`,
    name,
    type: "Microsoft.Authorization/policyExemptions",
    systemData: { createdBy: "alice@fabrikam.example", createdAt: "2026-01-10T09:00:00Z" },
    properties: {
      policyAssignmentId: assignment,
      exemptionCategory: "Waiver",
      expiresOn: "2026-12-31T00:00:00Z",
      displayName: name,
      description: "Vendor appliance cannot use private endpoints",
      metadata: { owner: "payments-team@fabrikam.example" },
      ...extra,
    },
  });

  it("resolves Defender's default assignment through the MCSB initiative's reference ids", () => {
    const text = JSON.stringify({
      value: [
        exemptionRow(
          "legacy",
          `${SUB}/resourceGroups/rg-a`,
          `${SUB}/providers/Microsoft.Authorization/policyAssignments/SecurityCenterBuiltIn`,
          { policyDefinitionReferenceIds: [refId] },
        ),
      ],
    });
    const r = importAzureExemptions(text, "ex.json", catalog, { now: NOW, actor: "t" });
    expect(r.exemptions).toHaveLength(1);
    const e = r.exemptions[0];
    expect(e).toMatchObject({
      target: "scope",
      scope: `${SUB}/resourceGroups/rg-a`,
      category: "waiver",
      owner: "payments-team@fabrikam.example",
      source: "azure-policy",
      policyDefinitionIds: [refGuid],
    });
    expect(e.azure?.resolution).toBe("defender-default");
    const hit = finding("F-9", "rg-a", "std", "rec-x", [], refGuid);
    const miss = finding("F-10", "rg-a", "ste", "rec-y", [], "00000000-0000-0000-0000-000000000000");
    const other = finding("F-11", "rg-b", "stf", "rec-x", [], refGuid);
    expect(applyExemptions([hit, miss, other], r.exemptions, NOW).map((f) => !!f.exemption)).toEqual([true, false, false]);
  });

  it("uses assignments from the same export (az CLI array with flattened properties) and keeps unresolved ones inert", () => {
    const assignment = `${SUB}/providers/Microsoft.Authorization/policyAssignments/deny-public-storage`;
    const flat = {
      id: `${SUB}/providers/Microsoft.Authorization/policyExemptions/flat`,
      name: "flat",
      policyAssignmentId: assignment,
      exemptionCategory: "Mitigated",
      expiresOn: null,
      description: "Firewall appliance filters traffic",
    };
    const rows = [
      {
        id: assignment,
        type: "Microsoft.Authorization/policyAssignments",
        properties: { policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/34c877ad-507e-4c82-993e-3452a6e0ad3c" },
      },
      flat,
      exemptionRow("orphan", SUB, `${SUB}/providers/Microsoft.Authorization/policyAssignments/unknown-one`),
    ];
    const r = importAzureExemptions(JSON.stringify(rows), "az.json", catalog, { now: NOW, actor: "t" });
    expect(r.exemptions.map((e) => [e.azure?.resolution, e.category])).toEqual([
      ["definition", "mitigated"],
      ["unresolved", "waiver"],
    ]);
    expect(r.unresolved).toHaveLength(1);
    const f = finding("F-1", "rg-a", "sta", "rec-net", []);
    const applied = applyExemptions([f], r.exemptions, NOW)[0].exemption as NonNullable<Finding["exemption"]>;
    expect(applied.id).toBe(r.exemptions[0].id);
    expect(applied.expiresOn).toBeNull();
    // NDJSON works too, and a bad category names the row
    const nd = `${JSON.stringify(rows[0])}\n${JSON.stringify(flat)}\n`;
    expect(importAzureExemptions(nd, "x.ndjson", catalog, { now: NOW, actor: "t" }).exemptions).toHaveLength(1);
    expect(() =>
      importAzureExemptions(JSON.stringify([{ ...flat, exemptionCategory: "Forever" }]), "bad.json", catalog, { now: NOW, actor: "t" }),
    ).toThrow(/bad\.json, index 0.*Waiver or Mitigated/);
  });

  it("import is idempotent: the same Azure exemption keeps its Clarion id", () => {
    const text = JSON.stringify([
      exemptionRow("same", SUB, `${SUB}/providers/Microsoft.Authorization/policyAssignments/SecurityCenterBuiltIn`),
    ]);
    const a = importAzureExemptions(text, "a", catalog, { now: NOW, actor: "t" }).exemptions[0] as Exemption;
    const b = importAzureExemptions(text, "b", catalog, { now: new Date(), actor: "u" }).exemptions[0] as Exemption;
    expect(a.id).toBe(b.id);
    // no reference ids: the whole assignment (every MCSB policy) is exempted in that scope
    expect(a.policyDefinitionIds?.length).toBe(new Set(Object.values(mcsb?.references ?? {})).size);
  });
});
