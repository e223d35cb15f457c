import { describe, expect, it } from "vitest";
import { parseGovernanceConfig, phaseFor, rolesOn, scopeChain } from "./config";
import { APPROVAL_STATES, canTransition, ROLES } from "./model";

// The expected matrix, written out by hand from the issue (not derived from TRANSITIONS).
const EXPECTED: Record<string, string[]> = {
  viewer: [],
  analyst: ["draft>pending-review", "needs-info>pending-review"],
  approver: ["pending-review>approved", "pending-review>rejected", "pending-review>needs-info", "deployed>verified"],
  deployer: ["approved>scheduled", "scheduled>deployed", "deployed>verified", "deployed>rolled-back"],
  admin: [
    "draft>pending-review",
    "needs-info>pending-review",
    "pending-review>approved",
    "pending-review>rejected",
    "pending-review>needs-info",
    "approved>scheduled",
    "scheduled>deployed",
    "deployed>verified",
    "deployed>rolled-back",
  ],
};

describe("role x transition matrix", () => {
  for (const role of ROLES)
    it(`${role}: exactly the expected edges out of all ${APPROVAL_STATES.length ** 2} pairs`, () => {
      const allowed: string[] = [];
      for (const from of APPROVAL_STATES)
        for (const to of APPROVAL_STATES) if (canTransition(role, from, to)) allowed.push(`${from}>${to}`);
      expect(allowed.sort()).toEqual([...EXPECTED[role]].sort());
    });

  it("terminal states have no way out for anyone", () => {
    for (const role of ROLES)
      for (const from of ["rejected", "verified", "rolled-back"] as const)
        for (const to of APPROVAL_STATES) expect(canTransition(role, from, to)).toBe(false);
  });

  it("nobody skips review: draft never goes straight to approved, scheduled or deployed", () => {
    for (const role of ROLES)
      for (const to of ["approved", "scheduled", "deployed"] as const) expect(canTransition(role, "draft", to)).toBe(false);
  });
});

describe("scopes", () => {
  const cfg = parseGovernanceConfig({
    roles: [
      { principal: "Bob", role: "approver", scopes: ["/providers/Microsoft.Management/managementGroups/mg-root"] },
      { principal: "cara", role: "deployer", scopes: ["/subscriptions/s-dev"] },
    ],
    managementGroups: {
      "mg-root": { subscriptions: [] },
      "mg-prod": { parent: "mg-root", subscriptions: ["s-prod"] },
      "mg-dev": { parent: "mg-root", subscriptions: ["s-dev"] },
    },
    rollout: [
      { scope: "/", phase: "explain-only" },
      { scope: "/providers/Microsoft.Management/managementGroups/mg-dev", phase: "automatic" },
      { scope: "/subscriptions/s-prod", phase: "supervised" },
    ],
  });

  it("a subscription sits under its management groups and the root", () => {
    expect(scopeChain(cfg, "/subscriptions/s-prod/resourceGroups/rg1")).toEqual([
      "/subscriptions/s-prod/resourcegroups/rg1",
      "/subscriptions/s-prod",
      "/providers/microsoft.management/managementgroups/mg-prod",
      "/providers/microsoft.management/managementgroups/mg-root",
      "/",
    ]);
  });

  it("roles granted on a management group apply to its subscriptions, not to others", () => {
    expect(rolesOn(cfg, "bob", "/subscriptions/s-prod")).toEqual(["approver"]);
    expect(rolesOn(cfg, "bob", "/subscriptions/s-unmanaged")).toEqual([]);
    expect(rolesOn(cfg, "cara", "/subscriptions/s-dev")).toEqual(["deployer"]);
    expect(rolesOn(cfg, "cara", "/subscriptions/s-prod")).toEqual([]);
  });

  it("the most specific rollout rule wins", () => {
    expect(phaseFor(cfg, "/subscriptions/s-prod")).toBe("supervised");
    expect(phaseFor(cfg, "/subscriptions/s-dev")).toBe("automatic");
    expect(phaseFor(cfg, "/subscriptions/other")).toBe("explain-only");
  });

  it("rejects an unknown role with the field named", () => {
    expect(() => parseGovernanceConfig({ roles: [{ principal: "x", role: "god", scopes: ["/"] }] }, "gov.json")).toThrow(
      /gov.json.*roles.0.role/,
    );
  });
});
