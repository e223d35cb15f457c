import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_WEIGHTS, type RiskInputs, rescore, scoreRisk } from "./score";

const base: RiskInputs = { severity: "Medium", environment: "development", exposure: "private", onAttackPath: 0, alerts: [], exploitability: { kev: [] } };

describe("scoreRisk", () => {
  it("ranks an exposed production PCI store with a fresh alert above the same finding in dev", () => {
    const prod = scoreRisk({ ...base, environment: "production", dataClassification: "PCI", exposure: "internet", alerts: [{ severity: "Medium", ageHours: 3, displayName: "brute force" }] });
    const dev = scoreRisk(base);
    expect(prod.score).toBeGreaterThan(dev.score + 30);
    expect(prod.level).toBe("critical");
    expect(prod.factors.find((f) => f.name === "alerts")?.reason).toMatch(/brute force 3 h ago/);
  });

  it("always sums its factor points to the score, within 0..100", () => {
    const arb = fc.record({
      severity: fc.constantFrom("High", "Medium", "Low"),
      environment: fc.constantFrom("production", "development", "shared", "unknown", "test", "staging"),
      dataClassification: fc.option(fc.string(), { nil: undefined }),
      exposure: fc.constantFrom("internet", "restricted-public", "private", "unknown"),
      onAttackPath: fc.nat(5),
      alerts: fc.array(fc.record({ severity: fc.constantFrom("High", "Low"), ageHours: fc.double({ min: 0, max: 1000, noNaN: true }), displayName: fc.string() }), { maxLength: 3 }),
      exploitability: fc.record({ kev: fc.array(fc.constant("CVE-2019-0708"), { maxLength: 2 }), maxCvss: fc.option(fc.double({ min: 0, max: 10, noNaN: true }), { nil: undefined }) }),
      criticality: fc.option(fc.string(), { nil: undefined }),
      secureScoreGain: fc.option(fc.double({ min: 0, max: 10, noNaN: true }), { nil: undefined }),
    }) as fc.Arbitrary<RiskInputs>;
    fc.assert(
      fc.property(arb, (input) => {
        const r = scoreRisk(input);
        const sum = r.factors.reduce((a, f) => a + f.points, 0);
        return Math.abs(sum - r.score) < 0.05 && r.score >= 0 && r.score <= 100;
      }),
    );
  });

  it("re-ranks from stored factors when weights change, without re-ingesting", () => {
    const a = scoreRisk({ ...base, severity: "High" });
    const b = scoreRisk({ ...base, severity: "Low", exposure: "internet" });
    const heavyExposure = { ...DEFAULT_WEIGHTS, severity: 5, exposure: 60 };
    expect(a.score).toBeGreaterThan(b.score);
    expect(rescore(b.factors, heavyExposure).score).toBeGreaterThan(rescore(a.factors, heavyExposure).score);
    expect(rescore(a.factors, DEFAULT_WEIGHTS).score).toBeCloseTo(a.score, 1);
  });
});
