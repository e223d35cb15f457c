import { describe, expect, it } from "vitest";
import type { Finding } from "../domain/finding";
import { toOcsf } from "./ocsf";
import { toSarif } from "./sarif";

const f = (id: string, rec: string, level: Finding["risk"]["level"]): Finding => ({
  id,
  resourceId: `/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/${id}`,
  resourceName: id,
  resourceType: "microsoft.storage/storageaccounts",
  subscriptionId: "s1",
  resourceGroup: "rg",
  environment: "production",
  recommendation: { id: rec, name: `Rec ${rec}`, severity: "High", category: "Data", policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/x", packId: "p" },
  status: "Unhealthy",
  risk: { score: 70, level, factors: [] },
  owner: { name: "team", email: "team@x.example", source: "resource-tag" },
  controls: [{ framework: "nist-800-53-r5", version: "Rev. 5", controlId: "SC-7" }],
  attackPaths: [],
  rootCause: null,
  explanation: { summary: "S", businessImpact: "B", complianceImpact: "C", recommendedAction: "Do it.", citations: [], engine: "offline-v1", model: null, grounding: 1 },
  remediation: [],
  exemption: null,
});

describe("SARIF and OCSF exports", () => {
  it("writes SARIF 2.1.0 with one rule per recommendation and a result per finding", () => {
    const s = toSarif([f("a", "k1", "critical"), f("b", "k1", "low"), f("c", "k2", "medium")]) as any;
    expect(s.version).toBe("2.1.0");
    expect(s.runs[0].tool.driver.rules.map((r: any) => r.id)).toEqual(["k1", "k2"]);
    expect(s.runs[0].results.map((r: any) => [r.ruleId, r.ruleIndex, r.level])).toEqual([["k1", 0, "error"], ["k1", 0, "note"], ["k2", 1, "warning"]]);
    expect(s.runs[0].results[0].locations[0].logicalLocations[0].fullyQualifiedName).toContain("/storageAccounts/a");
  });

  it("writes OCSF Compliance Finding events with severity from the risk level", () => {
    const [e] = toOcsf([f("a", "k1", "critical")], { now: new Date(0) }) as any[];
    expect([e.class_uid, e.category_uid, e.type_uid, e.severity_id]).toEqual([2003, 2, 200301, 5]);
    expect(e.compliance).toMatchObject({ status: "Fail", standards: ["nist-800-53-r5"], requirements: ["nist-800-53-r5:SC-7"] });
    expect(e.cloud.account.uid).toBe("s1");
  });
});
