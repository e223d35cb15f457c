import { describe, expect, it } from "vitest";
import type { Finding } from "../domain/finding";
import { correlate, renderCorrelationHtml } from "./correlate";

function f(id: string, rec: string, resource: string, controls: string[], risk = 50): Finding {
  return {
    id,
    resourceId: `/subscriptions/s/resourceGroups/rg/providers/x/y/${resource}`,
    resourceName: resource,
    resourceType: "x/y",
    subscriptionId: "s",
    resourceGroup: "rg",
    environment: "production",
    recommendation: { id: rec, name: `Fix ${rec}`, severity: "High", category: "c" },
    status: "Unhealthy",
    risk: { score: risk, level: "high", factors: [] },
    owner: { name: "o", email: null, source: "unknown" },
    controls: controls.map((c) => {
      const [framework, controlId] = c.split("/");
      return { framework, version: "v", controlId };
    }),
    attackPaths: [],
    rootCause: null,
    explanation: { summary: "", businessImpact: "", complianceImpact: "", citations: [], engine: "t", model: null, grounding: 1 },
    remediation: [],
    exemption: null,
  };
}

describe("correlate", () => {
  // A: sole cause of mcsb/NS-2, cis-azure-2.0.0/3.7, cis-azure-1.4.0/3.7, pci-dss-4.0/1.3.2; shares nist/SC-7 with B.
  // B: sole cause of nist/AC-3; shares SC-7.
  const findings = [
    f("1", "A", "st1", ["mcsb/NS-2", "cis-azure-2.0.0/3.7", "cis-azure-1.4.0/3.7", "pci-dss-4.0/1.3.2", "nist-800-53-r5/SC-7"]),
    f("2", "A", "st2", ["mcsb/NS-2", "nist-800-53-r5/SC-7"], 90),
    f("3", "B", "kv1", ["nist-800-53-r5/SC-7", "nist-800-53-r5/AC-3"], 95),
  ];

  it("counts a control as closed only when the fix removes every failure of it", () => {
    const [a, b] = correlate(findings);
    expect(a.recommendationId).toBe("A");
    expect(a.closes).toEqual(["cis-azure-1.4.0/3.7", "cis-azure-2.0.0/3.7", "mcsb/NS-2", "pci-dss-4.0/1.3.2"]);
    expect(a.touches).toEqual(["nist-800-53-r5/SC-7"]);
    expect(a.frameworks).toEqual(["cis-azure-1.4.0", "cis-azure-2.0.0", "mcsb", "pci-dss-4.0"]);
    expect(a.families).toEqual(["cis-azure", "mcsb", "pci-dss"]);
    expect(a.headline).toBe("one fix on 2 resources closes 4 controls in 3 frameworks (4 versions); also reduces failures in 1 more");
    expect(a.maxRisk).toBe(90);
    expect(b.closes).toEqual(["nist-800-53-r5/AC-3"]);
    expect(b.rank).toBe(2);
  });

  it("once B is fixed, A also closes SC-7", () => {
    const [a] = correlate(findings.filter((x) => x.recommendation.id === "A"));
    expect(a.closes).toContain("nist-800-53-r5/SC-7");
    expect(a.touches).toEqual([]);
  });

  it("filters frameworks and renders an HTML section with escaped names", () => {
    const only = correlate(findings, { frameworks: ["nist-800-53-r5"] });
    expect(only.map((x) => [x.recommendationId, x.closes.length])).toEqual([
      ["B", 1],
      ["A", 0],
    ]);
    const html = renderCorrelationHtml(
      correlate([{ ...findings[0], recommendation: { ...findings[0].recommendation, name: "<script>x</script>" } }]),
    );
    expect(html).toContain("&#60;script&#62;");
    expect(html).not.toContain("<script>");
  });
});
