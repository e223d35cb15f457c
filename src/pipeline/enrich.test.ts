import { describe, expect, it } from "vitest";
import { FrameworkCatalog } from "../compliance/catalog";
import { PackRegistry } from "../packs/registry";
import { EstateIndex } from "./context";
import { enrichFindings } from "./enrich";
import { Normalizer } from "./normalize";

const rid = "/subscriptions/s1/resourceGroups/rg-x/providers/Microsoft.Widgets/gadgets/g1";

describe("enrichFindings without a pack", () => {
  it("still explains and remediates from the assessment's own metadata, marked generic", () => {
    const n = new Normalizer();
    n.add({ row: { id: rid, name: "g1", type: "microsoft.widgets/gadgets", subscriptionId: "s1", resourceGroup: "rg-x", tags: { environment: "prod" }, properties: {} }, origin: { index: 0 } });
    n.add({
      row: {
        id: `${rid}/providers/Microsoft.Security/assessments/11111111-2222-3333-4444-555555555555`,
        name: "11111111-2222-3333-4444-555555555555",
        type: "microsoft.security/assessments",
        properties: {
          resourceDetails: { Id: rid },
          displayName: "Gadgets should be shiny",
          status: { code: "Unhealthy" },
          metadata: { severity: "Low", description: "Dull gadgets let attackers in.", remediationDescription: "Polish the gadget in the portal." },
        },
      },
      origin: { index: 1 },
    });
    const { findings, unmatched } = enrichFindings(new EstateIndex(n.tenant), { packs: new PackRegistry([]), frameworks: new FrameworkCatalog([]), now: new Date() });
    expect(unmatched).toBe(1);
    const f = findings[0];
    expect(f.recommendation.packId).toBeNull();
    expect(f.explanation.engine).toBe("generic");
    expect(f.explanation.summary).toContain("Gadgets should be shiny");
    expect(f.explanation.businessImpact).toContain("Dull gadgets let attackers in.");
    expect(f.environment).toBe("production");
    expect(f.remediation.length).toBeGreaterThan(0);
    expect(f.remediation[0].content).toContain("Polish the gadget");
    expect(f.remediation.every((r) => r.rollback.length > 10)).toBe(true);
  });
});
