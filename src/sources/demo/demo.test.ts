import { describe, expect, it } from "vitest";
import { loadAllPacks } from "../../packs/loader";
import { generateDemoTenant } from "./index";
import { generateEstate } from "./estate";

const now = new Date("2026-11-20T12:00:00Z");

describe("demo estate", () => {
  const estate = generateEstate(42);
  it("has the size and variety of a real mid-size estate", () => {
    const subs = estate.containers.filter((c) => c.type === "microsoft.resources/subscriptions");
    const rgs = estate.containers.filter((c) => c.type === "microsoft.resources/subscriptions/resourcegroups");
    expect(subs).toHaveLength(3);
    expect(rgs.length).toBeGreaterThanOrEqual(30);
    expect(estate.resources.length).toBeGreaterThanOrEqual(600);
    expect(new Set(estate.resources.map((r) => r.type)).size).toBeGreaterThanOrEqual(20);
    const ids = estate.resources.map((r) => r.id.toLowerCase());
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("uses ARG shapes: lower-cased types, subscription and group on every row", () => {
    for (const r of estate.resources) {
      expect(r.type).toBe(r.type.toLowerCase());
      expect(r.id.startsWith(`/subscriptions/${r.subscriptionId}/resourceGroups/${r.resourceGroup}/providers/`)).toBe(true);
    }
  });

  it("has the tag mess real estates have", () => {
    const keys = new Set(estate.resources.flatMap((r) => Object.keys(r.tags ?? {})));
    expect([...keys].filter((k) => /^env(ironment)?$/i.test(k)).length).toBeGreaterThanOrEqual(3);
    const untaggedOwner = estate.resources.filter((r) => !Object.keys(r.tags ?? {}).some((k) => /owner/i.test(k)));
    expect(untaggedOwner.length).toBeGreaterThan(estate.resources.length / 3);
  });

  it("plants the risky resources the walkthrough relies on", () => {
    for (const k of ["jumpVm", "paymentsVault", "checkoutStorage", "buildVm", "paymentsSql"]) expect(estate.planted[k], k).toBeTruthy();
    const st = estate.resources.find((r) => r.id === estate.planted.checkoutStorage);
    expect((st?.properties as any).networkAcls.defaultAction).toBe("Allow");
  });

  it("is deterministic for a seed and different across seeds", () => {
    expect(JSON.stringify(generateEstate(42))).toBe(JSON.stringify(estate));
    expect(JSON.stringify(generateEstate(7).resources)).not.toBe(JSON.stringify(estate.resources));
  });
});

describe("demo tenant security data", async () => {
  const { packs } = await loadAllPacks();
  const tenant = await generateDemoTenant({ seed: 42, now, packs });
  const assessments = tenant.securityResources.filter((r) => r.type === "microsoft.security/assessments");

  it("derives every assessment from resource properties through the packs", () => {
    const storagePack = packs.find((p) => p.meta.id === "storage-restrict-network-access");
    expect(storagePack).toBeDefined();
    const key = storagePack?.meta.assessmentKeys[0];
    for (const a of assessments.filter((x) => x.name === key)) {
      const rid = (a.properties as any).resourceDetails.Id;
      const r = tenant.resources.find((x) => x.id === rid) as any;
      const open = r.properties.networkAcls.defaultAction === "Allow" && r.properties.publicNetworkAccess !== "Disabled";
      expect((a.properties as any).status.code, r.name).toBe(open ? "Unhealthy" : "Healthy");
    }
  });

  it("carries real assessment keys and policy ids from the packs", () => {
    const keys = new Set(packs.flatMap((p) => p.meta.assessmentKeys));
    const withRealKey = assessments.filter((a) => keys.has(a.name));
    expect(withRealKey.length).toBeGreaterThan(assessments.length / 2);
  });

  it("has vulnerability sub-assessments with CVE ids, secure scores, compliance results and alerts", () => {
    const subs = tenant.securityResources.filter((r) => r.type === "microsoft.security/assessments/subassessments");
    expect(subs.length).toBeGreaterThan(5);
    expect(subs.every((s) => /^CVE-\d{4}-\d+$/.test((s.properties as any).id))).toBe(true);
    expect(subs.some((s) => (s.properties as any).id === "CVE-2019-0708" && s.id.startsWith(tenant.truth.planted.jumpVm))).toBe(true);
    expect(tenant.securityResources.filter((r) => r.type === "microsoft.security/securescores")).toHaveLength(3);
    expect(tenant.securityResources.some((r) => r.type.endsWith("regulatorycomplianceassessments"))).toBe(true);
    expect(tenant.alerts.length).toBeGreaterThanOrEqual(3);
    expect(tenant.packErrors).toEqual([]);
  });
});
