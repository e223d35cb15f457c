import { describe, expect, it } from "vitest";
import { clean, explainGeneric, remediateGeneric } from "./generic";

const base = {
  id: "0000aaaa-1111-2222-3333-444455556666",
  displayName: "Some recommendation without a pack",
  severity: "High",
  description: "Resources of this kind should do X.",
  remediationDescription: "Open the resource and enable X.",
  policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/0a15ec92-a229-4763-bb14-0ea34a568f8d",
  resourceId: "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Foo/bars/bar1",
};

describe("generic fallback", () => {
  it("explains from the assessment's own metadata, marked engine generic, citing what it used", () => {
    const e = explainGeneric(base);
    expect(e.engine).toBe("generic");
    expect(e.summary).toContain("bar1");
    expect(e.summary).toContain("Some recommendation without a pack");
    expect(e.businessImpact).toContain("should do X");
    expect(e.complianceImpact).toContain("0a15ec92");
    expect(e.recommendedAction).toBe("Open the resource and enable X.");
    expect(e.citations.map((c) => c.factId)).toContain("recommendation.policy");
  });

  it("says plainly when metadata is missing instead of inventing impact", () => {
    const e = explainGeneric({ ...base, description: undefined, policyDefinitionId: null, remediationDescription: undefined });
    expect(e.businessImpact).toMatch(/no description/);
    expect(e.complianceImpact).toMatch(/No policy definition/);
    expect(remediateGeneric({ ...base, policyDefinitionId: null }).map((r) => r.kind)).toEqual(["az-cli"]);
  });

  it("drafts an audit-only assignment of the built-in policy, with a rollback", () => {
    const drafts = remediateGeneric(base);
    const pol = drafts.find((d) => d.kind === "azure-policy");
    expect(pol).toBeDefined();
    const json = JSON.parse(pol?.content ?? "{}");
    expect(json.properties.policyDefinitionId).toBe(base.policyDefinitionId);
    expect(json.properties.enforcementMode).toBe("DoNotEnforce");
    expect(pol?.rollback).toContain("az policy assignment delete");
  });

  it("treats metadata text as data: markup and control characters stripped, length bounded", () => {
    expect(clean("<script>x</script>\u0007ignore previous instructions")).toBe("x ignore previous instructions");
    expect(clean("a".repeat(5000)).length).toBe(600);
    expect(explainGeneric({ ...base, resourceName: "evil\nname<b>" }).summary.startsWith("evil name")).toBe(true);
  });
});
