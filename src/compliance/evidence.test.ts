import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Finding } from "../domain/finding";
import type { Assessment } from "../domain/records";
import { testBackends } from "../workflow/test-stores";
import { FrameworkCatalog } from "./catalog";
import { buildEvidencePackage, type Manifest, packageDigest, verifyEvidencePackage } from "./evidence";
import { createExemption } from "./exemptions";
import type { ComplianceInput } from "./gaps";
import { deleteExemption, loadAssessments, loadExemptions, recordAssessments, saveExemptions } from "./persist";

const catalog = FrameworkCatalog.load();
const NOW = new Date("2026-05-01T00:00:00Z");
const SUB = "22222222-2222-2222-2222-222222222222";
const RID = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1`;
const POLICY = "/providers/Microsoft.Authorization/policyDefinitions/34c877ad-507e-4c82-993e-3452a6e0ad3c";

function input(): ComplianceInput {
  const controls = catalog.controlsForPolicy(POLICY);
  const f: Finding = {
    id: "F-1",
    resourceId: RID,
    resourceName: "st1",
    resourceType: "microsoft.storage/storageaccounts",
    subscriptionId: SUB,
    resourceGroup: "rg",
    environment: "production",
    recommendation: {
      id: "rec",
      name: "Storage accounts should restrict network access",
      severity: "Medium",
      category: "Data",
      policyDefinitionId: POLICY,
    },
    status: "Unhealthy",
    risk: { score: 60, level: "high", factors: [] },
    owner: { name: "o", email: null, source: "unknown" },
    controls,
    attackPaths: [],
    rootCause: null,
    explanation: { summary: "", businessImpact: "", complianceImpact: "", citations: [], engine: "t", model: null, grounding: 1 },
    remediation: [],
    exemption: null,
    statusChangeDate: "2026-04-20T10:00:00Z",
  };
  return {
    findings: [f],
    assessments: [
      {
        id: `${RID}/providers/Microsoft.Security/assessments/rec`,
        assessmentKey: "rec",
        resourceId: RID,
        displayName: f.recommendation.name,
        status: "Unhealthy",
        policyDefinitionId: POLICY,
      },
    ],
    resources: [
      {
        id: RID,
        name: "st1",
        type: "microsoft.storage/storageaccounts",
        subscriptionId: SUB,
        resourceGroup: "rg",
        location: "westeurope",
        tags: {},
        properties: { networkAcls: { defaultAction: "Allow" } },
      },
      {
        id: `/subscriptions/${SUB}`,
        name: SUB,
        type: "microsoft.resources/subscriptions",
        subscriptionId: SUB,
        resourceGroup: "",
        location: "",
        tags: {},
        properties: {},
      },
    ] as ComplianceInput["resources"],
    exemptions: [],
    now: NOW,
  };
}

describe("evidence package (no PDF)", () => {
  const root = mkdtempSync(join(tmpdir(), "clarion-evidence-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("writes per-control evidence with the resource snapshot and a manifest that verifies", async () => {
    const dir = join(root, "pkg");
    const r = await buildEvidencePackage(catalog, input(), { frameworkId: "mcsb", outDir: dir, actor: "t", pdf: false });
    expect(r.manifest.pdf).toEqual({ rendered: false, note: "not requested (--no-pdf)" });
    const ns2 = JSON.parse(readFileSync(join(dir, "controls", "NS-2.json"), "utf8"));
    expect(ns2).toMatchObject({ controlId: "NS-2", rawStatus: "failed", evaluatedAt: NOW.toISOString() });
    expect(ns2.failing[0]).toMatchObject({ findingId: "F-1", statusChangeDate: "2026-04-20T10:00:00Z" });
    const snap = JSON.parse(readFileSync(join(dir, ns2.failing[0].resourceSnapshot), "utf8"));
    expect(snap.resource.properties.networkAcls.defaultAction).toBe("Allow");
    expect(verifyEvidencePackage(dir)).toMatchObject({ ok: true, problems: [] });
  });

  it("catches a manifest rewritten to hide a change unless the package digest is recomputed", async () => {
    const dir = join(root, "pkg2");
    await buildEvidencePackage(catalog, input(), { frameworkId: "mcsb", outDir: dir, actor: "t", pdf: false });
    writeFileSync(join(dir, "gaps.json"), "{}\n");
    const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;
    const entry = m.files.find((f) => f.path === "gaps.json");
    if (!entry) throw new Error("gaps.json not in manifest");
    entry.sha256 = "0".repeat(64);
    writeFileSync(join(dir, "manifest.json"), JSON.stringify(m));
    const r = verifyEvidencePackage(dir);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual(
      expect.arrayContaining([
        { path: "manifest.json", problem: "manifest" },
        { path: "gaps.json", problem: "modified" },
      ]),
    );
    // a forger who also recomputes the digest gets past the manifest check, which is why the digest is audited
    m.packageDigest = packageDigest(m.files);
    expect(m.packageDigest).not.toBe(r.packageDigest);
  });

  it("refuses to write into a folder that is not an evidence package", async () => {
    const dir = join(root, "not-a-package");
    mkdirSync(dir);
    writeFileSync(join(dir, "notes.txt"), "mine");
    await expect(buildEvidencePackage(catalog, input(), { frameworkId: "mcsb", outDir: dir, actor: "t", pdf: false })).rejects.toThrow(
      /not an evidence package/,
    );
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("mine");
  });
});

describe.each(testBackends("compliance"))("compliance persistence on $name", (backend) => {
  afterAll(() => backend.cleanup());

  it("records assessments and exemptions, replacing the previous run's assessments", async () => {
    const store = await backend.open();
    expect(await loadAssessments(store)).toBeUndefined();
    const a = input().assessments as Assessment[];
    await recordAssessments(store, [...a, { ...a[0], id: `${a[0].id}-2`, status: "Healthy" }]);
    expect((await loadAssessments(store))?.map((x) => x.status).sort()).toEqual(["Healthy", "Unhealthy"]);
    await recordAssessments(store, a);
    expect(await loadAssessments(store)).toHaveLength(1);
    await recordAssessments(store, []);
    expect(await loadAssessments(store)).toEqual([]);
    const ex = createExemption({ findingId: "F-1", owner: "o", justification: "j", category: "waiver", createdBy: "t", now: NOW });
    await saveExemptions(store, [ex, ex]);
    expect(await loadExemptions(store)).toEqual([ex]);
    const later = { ...ex, owner: "o2" };
    const other = createExemption({
      resourceId: RID,
      owner: "p",
      justification: "j",
      category: "mitigated",
      createdBy: "t",
      now: new Date(NOW.getTime() + 1000),
    });
    await saveExemptions(store, [later, other]);
    expect(await loadExemptions(store)).toEqual([later, other]);
    expect(await deleteExemption(store, ex.id)).toBe(true);
    expect(await deleteExemption(store, ex.id)).toBe(false);
    // A second connection (another process) sees the same rows.
    const again = await backend.reopen(store);
    expect(await loadExemptions(again)).toEqual([other]);
    expect(await loadAssessments(again)).toEqual([]);
  });

  it("adopts what an earlier build kept in meta once: exemptions copied, deleted ones stay deleted", async () => {
    const store = await backend.open();
    const a = input().assessments as Assessment[];
    const ex = createExemption({ findingId: "F-9", owner: "o", justification: "j", category: "waiver", createdBy: "t", now: NOW });
    await store.setMeta("compliance.exemptions", JSON.stringify([ex]));
    await store.setMeta("compliance.assessments", JSON.stringify(a));
    const first = await backend.reopen(store);
    expect(await loadExemptions(first)).toEqual([ex]);
    expect(await loadAssessments(first)).toEqual(a);
    expect(await deleteExemption(first, ex.id)).toBe(true);
    await recordAssessments(first, []);
    const second = await backend.reopen(store);
    expect(await loadExemptions(second)).toEqual([]);
    expect(await loadAssessments(second)).toEqual([]);
  });
});

describe("recommendation -> controls", () => {
  it("maps a Defender assessment key to the controls of the policy that feeds it", () => {
    const [guid, info] =
      Object.entries(catalog.policyIndex).find(([g, i]) => i.assessmentKey && catalog.controlsForPolicy(g).length > 0) ?? [];
    expect(info?.assessmentKey).toBeTruthy();
    const viaKey = catalog.controlsForRecommendation(String(info?.assessmentKey).toUpperCase());
    expect(viaKey.length).toBeGreaterThan(0);
    expect(viaKey).toEqual(catalog.controlsForPolicy(String(guid)));
    expect(catalog.controlsForRecommendation("00000000-0000-0000-0000-000000000000")).toEqual([]);
  });
});
