import { describe, expect, it } from "vitest";
import { verifyChain } from "./audit-chain";
import { SqliteStore } from "./sqlite-store";

const finding = (id: string, score: number, severity: "High" | "Medium" | "Low", frameworks: string[], owner = "team@x.example") => ({
  id,
  resourceId: `/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/${id}`,
  resourceName: `st-${id}`,
  resourceType: "microsoft.storage/storageaccounts",
  subscriptionId: "s1",
  resourceGroup: "rg",
  environment: "production" as const,
  recommendation: { id: "k", name: "Secure transfer", severity, category: "Data" },
  status: "Unhealthy" as const,
  risk: { score, level: "high" as const, factors: [] },
  owner: { name: owner, email: owner, source: "resource-tag" as const },
  controls: frameworks.map((f) => ({ framework: f, version: "1", controlId: "1.1" })),
  attackPaths: [],
  rootCause: null,
  explanation: { summary: "s", businessImpact: "b", complianceImpact: "c", citations: [], engine: "offline-v1", model: null, grounding: 1 },
  remediation: [],
  exemption: null,
});

describe("SqliteStore", async () => {
  const store = new SqliteStore(":memory:");
  await store.migrate();
  await store.replaceFindings([finding("a", 50, "High", ["nist"]), finding("b", 80, "Medium", ["nist", "pci"], "other@x.example"), finding("c", 20, "Low", [])]);

  it("lists by risk, filters by severity, framework, owner and search, and pages", async () => {
    expect((await store.listFindings()).map((f) => f.id)).toEqual(["b", "a", "c"]);
    expect((await store.listFindings({ severity: "high" })).map((f) => f.id)).toEqual(["a"]);
    expect((await store.listFindings({ framework: "pci" })).map((f) => f.id)).toEqual(["b"]);
    expect((await store.listFindings({ owner: "other" })).map((f) => f.id)).toEqual(["b"]);
    expect((await store.listFindings({ search: "st-c" })).map((f) => f.id)).toEqual(["c"]);
    expect((await store.listFindings({ limit: 1, offset: 1 })).map((f) => f.id)).toEqual(["a"]);
    expect(await store.countFindings({ framework: "nist" })).toBe(2);
    expect((await store.getFinding("a"))?.resourceName).toBe("st-a");
  });

  it("keeps a hash chain across appends that detects edits, deletions and reordering", async () => {
    await store.appendAudit([{ time: "t1", actor: "x", action: "a", subject: "s1", digest: "d1", details: { n: 1 } }]);
    await store.appendAudit([
      { time: "t2", actor: "x", action: "b", subject: "s2", digest: "d2", details: {} },
      { time: "t3", actor: "y", action: "c", subject: "s3", digest: "d3", details: { z: [1, 2] } },
    ]);
    const chain = await store.listAudit();
    expect(chain.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(verifyChain(chain).ok).toBe(true);
    expect(verifyChain([{ ...chain[0], actor: "mallory" }, ...chain.slice(1)]).problem?.reason).toMatch(/edited/);
    expect(verifyChain([chain[0], chain[2]]).ok).toBe(false);
    expect(verifyChain([chain[1], chain[0], chain[2]]).ok).toBe(false);
    expect(verifyChain(chain.slice(1)).ok).toBe(false);
    store.db.prepare("UPDATE audit SET details = ? WHERE seq = 2").run(JSON.stringify({ forged: true }));
    expect(verifyChain(await store.listAudit())).toMatchObject({ ok: false, problem: { seq: 2 } });
  });
});
