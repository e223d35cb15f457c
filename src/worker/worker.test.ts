import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAllPacks } from "../packs/loader";
import { PackRegistry } from "../packs/registry";
import type { Pack } from "../packs/schema";
import { EstateIndex } from "../pipeline/context";
import { enrichFindings } from "../pipeline/enrich";
import { verifyChain } from "../store/audit-chain";
import { openStore } from "../store/open-store";
import { pgTestSchema, pgUnavailable } from "../store/postgres-testing";
import type { Store } from "../store/store";
import { buildEnrichContext, enrichBatch, partitionOf } from "./enrich-batch";
import { commitBatch, finishIfComplete, loadShared, runProgress, submitRun, takeBatch } from "./runs";
import { syntheticTenant } from "./synthetic";
import { SharedTokenBucket } from "./token-bucket";

let packs: Pack[];
beforeAll(async () => {
  packs = (await loadAllPacks()).packs;
});

const NOW = new Date("2025-03-02T00:00:00Z");
const strip = (x: unknown) => JSON.parse(JSON.stringify(x));

describe("enrichBatch", () => {
  it("enriching (subscription, group) slices gives exactly the findings of one whole-estate enrich", async () => {
    const tenant = syntheticTenant(packs, { findings: 400, subscriptions: 3, perResource: 3 });
    const whole = enrichFindings(new EstateIndex(tenant), { ...(await buildEnrichContext({ now: NOW, tenant }, packs)).ports }).findings;
    const ctx = await buildEnrichContext({ now: NOW, tenant: { ...tenant, assessments: [] } }, packs);
    const registry = new PackRegistry(packs);
    const groups = new Map<string, typeof tenant.assessments>();
    for (const a of tenant.assessments) {
      const p = partitionOf(registry, a);
      groups.set(`${p.subscriptionId}|${p.group}`, [...(groups.get(`${p.subscriptionId}|${p.group}`) ?? []), a]);
    }
    expect(groups.size).toBeGreaterThan(10);
    const parts = [...groups.values()].flatMap((g) => {
      const out = [];
      for (let i = 0; i < g.length; i += 2) out.push(...enrichBatch(ctx, g.slice(i, i + 2), g.length)); // slices of 2: groups are cut
      return out;
    });
    const byId = (l: typeof whole) => strip([...l].sort((x, y) => x.id.localeCompare(y.id)));
    expect(parts.length).toBe(whole.length);
    expect(byId(parts)).toEqual(byId(whole));
    // Without the group size, a cut group's drafts would state a smaller blast radius: the override matters.
    const cut = [...groups.values()].filter((g) => g.length > 2);
    const differs = cut.some((g) => JSON.stringify(enrichBatch(ctx, g.slice(0, 1))[0].remediation) !== JSON.stringify(enrichBatch(ctx, g.slice(0, 1), g.length)[0].remediation));
    expect(differs).toBe(true);
  });
});

describe("runs on the SQLite store (exactly-once commits)", () => {
  let store: Store;
  afterAll(() => store?.close());

  it("submits batches per (subscription, group), writes each batch once, ignores redeliveries and closes the run once", async () => {
    store = await openStore(":memory:");
    const tenant = syntheticTenant(packs, { findings: 300, subscriptions: 2 });
    const run = await submitRun(store, tenant, { source: "test", now: NOW, batchSize: 7, sideAnalyses: false });
    expect(run.findings).toBe(300);
    expect(new Set(run.batches.map((b) => b.batchId)).size).toBe(run.batches.length);
    expect(Math.max(...run.batches.map((b) => b.size))).toBeLessThanOrEqual(7);
    const shared = await loadShared(store, run.runId);
    expect(shared.tenant.resources.length).toBe(tenant.resources.length);
    expect(shared.now.toISOString()).toBe(NOW.toISOString());
    const ctx = await buildEnrichContext(shared, packs);

    const [first, ...rest] = run.batches;
    const b1 = await takeBatch(store, run.runId, first.batchId);
    const b1again = await takeBatch(store, run.runId, first.batchId); // delivered twice before either commits
    if (!b1 || !b1again) throw new Error("batch missing");
    expect(await commitBatch(store, run.runId, first.batchId, "w1", enrichBatch(ctx, b1.assessments, b1.groupSize))).toBe(true);
    expect(await commitBatch(store, run.runId, first.batchId, "w2", enrichBatch(ctx, b1again.assessments, b1again.groupSize))).toBe(false);
    expect(await takeBatch(store, run.runId, first.batchId)).toBeUndefined(); // a third delivery: already done
    let closed = 0;
    for (const b of rest) {
      const row = await takeBatch(store, run.runId, b.batchId);
      if (!row) throw new Error("batch missing");
      await commitBatch(store, run.runId, b.batchId, "w1", enrichBatch(ctx, row.assessments, row.groupSize));
      if (await finishIfComplete(store, run.runId, "w1")) closed++;
    }
    expect(closed).toBe(1);
    expect(await finishIfComplete(store, run.runId, "w2")).toBe(false);
    const [p] = await runProgress(store, run.runId);
    expect(p).toMatchObject({ status: "done", done: run.batches.length, findingsExpected: 300, findingsWritten: 300, distinctFindings: 300, maxCommits: 1, redeliveries: 2 });
    expect(await store.countFindings()).toBe(300);
    const audit = await store.listAudit();
    expect(verifyChain(audit).ok).toBe(true);
    expect(audit.filter((e) => e.action === "worker.batch.enriched").length).toBe(run.batches.length);
    expect(audit.filter((e) => e.action === "run.finished").length).toBe(1);
  });
});

const pgReason = await pgUnavailable();
if (pgReason) console.warn(`[worker] SKIPPING PostgreSQL tests: ${pgReason}`);

describe.skipIf(!!pgReason)("on PostgreSQL", () => {
  let target: Awaited<ReturnType<typeof pgTestSchema>>;
  const stores: Store[] = [];
  beforeAll(async () => {
    target = await pgTestSchema("worker");
    for (let i = 0; i < 3; i++) stores.push(await openStore(target?.url ?? ""));
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await target?.drop();
  });

  it("two workers committing the same batch at the same moment: one writes, the other writes nothing", async () => {
    const tenant = syntheticTenant(packs, { findings: 120, subscriptions: 1 });
    const run = await submitRun(stores[0], tenant, { source: "race", now: NOW, batchSize: 1000, sideAnalyses: false });
    const ctx = await buildEnrichContext(await loadShared(stores[1], run.runId), packs);
    for (const b of run.batches) {
      const rows = await Promise.all([takeBatch(stores[1], run.runId, b.batchId), takeBatch(stores[2], run.runId, b.batchId)]);
      const wins = await Promise.all(rows.map((r, i) => commitBatch(stores[i + 1], run.runId, b.batchId, `w${i + 1}`, enrichBatch(ctx, r?.assessments ?? [], r?.groupSize))));
      expect(wins.filter(Boolean).length).toBe(1);
    }
    const [p] = await runProgress(stores[0], run.runId);
    expect(p).toMatchObject({ findingsWritten: 120, distinctFindings: 120, maxCommits: 1 });
    expect(verifyChain(await stores[0].listAudit()).ok).toBe(true);
  });

  it("a token bucket shared by three workers never grants more than capacity + rate × elapsed", async () => {
    const tpm = 12_000; // 200 tokens/s, burst 12 000
    const buckets = stores.map((s) => new SharedTokenBucket(s, { name: "test-llm", tokensPerMinute: tpm }));
    const t0 = Date.now();
    await Promise.all(buckets.map(async (b) => {
      for (let i = 0; i < 5; i++) await b.acquire(820); // 3 × 5 × 820 = 12 300: 300 beyond the burst
    }));
    const elapsed = (Date.now() - t0) / 1000;
    expect(buckets.reduce((n, b) => n + b.stats.granted, 0)).toBe(12_300);
    expect(elapsed).toBeGreaterThanOrEqual(1.3); // 300 tokens at 200/s
    expect(elapsed).toBeLessThan(8);
    expect(buckets.some((b) => b.stats.waits > 0)).toBe(true);
  });
});
