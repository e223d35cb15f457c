import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeFixtureTenant } from "../../../simulator/fixtures/tenant";
import { type AzureSimulator, startSimulator } from "../../../simulator/server";
import type { SimTenant } from "../../../simulator/tenant";
import { openStore } from "../../store/open-store";
import { testBackends } from "../../workflow/test-stores";
import { fetchTenant } from "./fetch-tenant";
import { chooseConcurrency, loadTenant, syncTenant } from "./sync";
import { normalize } from "./testing";

const fastRetry = { timeoutMs: 400, baseDelayMs: 5, maxDelayMs: 40, maxRetries: 8 };

let round = 0;
function mutate(t: SimTenant): void {
  round++;
  const now = new Date().toISOString();
  // update one resource, delete one (with its assessments), add one
  t.resources[0].tags = { ...(t.resources[0].tags ?? {}), env: "changed" };
  const doomed = t.resources.splice(3, 1)[0];
  t.securityResources = t.securityResources.filter((r) => !r.id.toLowerCase().startsWith(`${doomed.id.toLowerCase()}/`));
  const added = structuredClone(t.resources[1]);
  added.id = `${added.id}-new${round}`;
  added.name = `${added.name}-new${round}`;
  t.resources.push(added);
  // flip one assessment
  const a = t.securityResources.find((r) => r.type === "microsoft.security/assessments") as any;
  a.properties.status.code = a.properties.status.code === "Healthy" ? "Unhealthy" : "Healthy";
  // secure score moves, an alert is resolved, a new activity event
  const score = t.securityResources.find((r) => r.type === "microsoft.security/securescores") as any;
  score.properties.score.current += 1;
  (t.alerts[0] as any).properties.status = "Resolved";
  const ev = structuredClone(t.activityLog[0]) as any;
  ev.id = `${ev.id}-later${round}`;
  ev.eventDataId = `${ev.eventDataId}-later${round}`;
  ev.eventTimestamp = now;
  t.activityLog.push(ev);
}

describe("fetchTenant and syncTenant against the simulator", () => {
  let sim: AzureSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ tenant: makeFixtureTenant({ now: new Date(), resourcesPerSubscription: 12 }), pageSize: 4 });
  });
  afterAll(async () => sim?.stop());
  const conn = () => ({ armEndpoint: sim.url, token: sim.token, ca: sim.cert.cert, retry: fastRetry });

  it("fetchTenant returns exactly the served tenant", async () => {
    const got = await fetchTenant(conn());
    expect(normalize(got)).toEqual(normalize(sim.snapshot()));
  });

  it("a full then an incremental sync track the tenant, and the incremental reads only what changed", async () => {
    const store = await openStore(":memory:");
    const full = await syncTenant({ ...conn(), store });
    expect(full.mode).toBe("full");
    expect(normalize(await loadTenant(store))).toEqual(normalize(sim.snapshot()));

    sim.updateTenant(mutate);
    const before = sim.stats.byRoute.arg ?? 0;
    const inc = await syncTenant({ ...conn(), store });
    expect(inc.mode).toBe("incremental");
    expect(inc.removed).toBeGreaterThanOrEqual(1);
    expect(normalize(await loadTenant(store))).toEqual(normalize(sim.snapshot()));
    // a resource that changed is re-read by id, not by paging all resources
    expect((sim.stats.byRoute.arg ?? 0) - before).toBeLessThan(15);

    const again = await syncTenant({ ...conn(), store });
    expect(again.added + again.changed + again.removed).toBe(0);
    await store.close();
  });

  it("with 20% of calls failing (429, 5xx, timeouts) a sync gives the same result, without duplicates", async () => {
    const clean = await openStore(":memory:");
    await syncTenant({ ...conn(), store: clean });
    sim.setFaults({ rate: 0.2, retryAfterSeconds: 0, timeoutHoldMs: 2000, seed: 11 });
    try {
      const store = await openStore(":memory:");
      // this store also reads its subscriptions' alerts and Activity Log three at a time
      await syncTenant({ ...conn(), store, concurrency: 3 });
      // two rounds of changes, each synced incrementally through the faults
      for (let i = 0; i < 2; i++) {
        sim.updateTenant(mutate);
        await syncTenant({ ...conn(), store, concurrency: 3 });
      }
      await syncTenant({ ...conn(), store: clean });
      const got = await loadTenant(store);
      expect(normalize(got)).toEqual(normalize(sim.snapshot()));
      expect(got).toEqual(await loadTenant(clean));
      const ids = got.securityResources.map((r) => r.id.toLowerCase());
      expect(new Set(ids).size).toBe(ids.length);
      expect(sim.stats.faults.throttle + sim.stats.faults.serverError + sim.stats.faults.timeout).toBeGreaterThan(5);
      expect(sim.stats.faults.timeout).toBeGreaterThan(0);
      await store.close();
    } finally {
      sim.setFaults(undefined);
      await clean.close();
    }
  });

  it("an incremental interrupted inside its concurrent lanes reruns them and ends equal to the tenant", async () => {
    const store = await openStore(":memory:");
    await syncTenant({ ...conn(), store });
    sim.updateTenant(mutate);
    const ctl = new AbortController();
    sim.onRequest = (route) => {
      if (route === "security.alerts") ctl.abort();
    };
    await expect(syncTenant({ ...conn(), store, abortSignal: ctl.signal })).rejects.toThrow();
    sim.onRequest = undefined;
    const cp = JSON.parse((await store.getMeta("azure.sync.checkpoint")) ?? "{}");
    expect(cp.mode).toBe("incremental");
    expect(cp.step).toBe(2); // the lanes' step: resource changes and cascade deletions are done and not redone
    const resumed = await syncTenant({ ...conn(), store });
    expect(resumed).toMatchObject({ mode: "incremental", resumed: true });
    expect(normalize(await loadTenant(store))).toEqual(normalize(sim.snapshot()));
    await store.close();
  });

  it("resumes from its checkpoint after an interrupted run", async () => {
    const store = await openStore(":memory:");
    const ctl = new AbortController();
    let pages = 0;
    sim.onRequest = () => {
      if (++pages === 5) ctl.abort();
    };
    await expect(syncTenant({ ...conn(), store, abortSignal: ctl.signal })).rejects.toThrow();
    sim.onRequest = undefined;
    expect(await store.getMeta("azure.sync.checkpoint")).toBeTruthy();
    const resumed = await syncTenant({ ...conn(), store });
    expect(resumed.resumed).toBe(true);
    expect(normalize(await loadTenant(store))).toEqual(normalize(sim.snapshot()));
    await store.close();
  });
});

describe("syncTenant on both stores", () => {
  let sim: AzureSimulator;
  const backends = testBackends("azure_sync");
  beforeAll(async () => {
    sim = await startSimulator({ tenant: makeFixtureTenant({ now: new Date(), resourcesPerSubscription: 9 }), pageSize: 4 });
  });
  afterAll(async () => {
    await sim?.stop();
    for (const b of backends) await b.cleanup();
  });
  const conn = () => ({ armEndpoint: sim.url, token: sim.token, ca: sim.cert.cert, retry: fastRetry });

  for (const backend of backends)
    it(`${backend.name}: full, incremental and a replayed incremental keep the store equal to the tenant, with counts that reconcile`, async () => {
      const store = await backend.open();
      const full = await syncTenant({ ...conn(), store });
      expect(full.added).toBeGreaterThan(0);
      expect(normalize(await loadTenant(store))).toEqual(normalize(sim.snapshot()));
      sim.updateTenant(mutate);
      const inc = await syncTenant({ ...conn(), store });
      expect(inc.mode).toBe("incremental");
      expect(inc.changed + inc.added).toBeGreaterThan(0);
      expect(inc.removed).toBeGreaterThanOrEqual(1);
      expect(normalize(await loadTenant(store))).toEqual(normalize(sim.snapshot()));
      const again = await syncTenant({ ...conn(), store });
      expect(again.added + again.changed + again.removed).toBe(0);
      expect(again.unchanged).toBeGreaterThan(0);
    });
});

describe("syncTenant concurrency", () => {
  it("auto overlaps an incremental's reads against a remote-like service and reads one at a time against a local one", async () => {
    const sim = await startSimulator({ tenant: makeFixtureTenant({ now: new Date(), subscriptions: 3, resourcesPerSubscription: 4 }), pageSize: 50 });
    const conn = { armEndpoint: sim.url, token: sim.token, ca: sim.cert.cert, retry: fastRetry };
    try {
      const inFlightDuring = async (latencyMs: number, concurrency?: number | "auto") => {
        const store = await openStore(":memory:");
        sim.setLatency(0);
        await syncTenant({ ...conn, store });
        sim.updateTenant(mutate);
        sim.setLatency(latencyMs);
        sim.stats.maxInFlight = 0;
        const inc = await syncTenant({ ...conn, store, concurrency });
        expect(inc.mode).toBe("incremental");
        // what auto decides from is measured on this sync's answers
        if (latencyMs) expect(inc.fastestAnswerMs).toBeGreaterThanOrEqual(latencyMs);
        else expect(inc.fastestAnswerMs).toBeLessThan(25);
        expect(normalize(await loadTenant(store))).toEqual(normalize(sim.snapshot()));
        await store.close();
        return sim.stats.maxInFlight;
      };
      // (Against the local simulator with no added latency `auto` reads one at a time; that depends on how fast
      // this machine answers, so it is checked through chooseConcurrency below rather than timed here.)
      expect(await inFlightDuring(25)).toBeGreaterThanOrEqual(3);
      expect(await inFlightDuring(25, 1)).toBe(1);
      expect(await inFlightDuring(25, 4)).toBeGreaterThanOrEqual(3);
      expect(await inFlightDuring(0, 1)).toBe(1);
    } finally {
      await sim.stop();
    }
  });
});

describe("chooseConcurrency", () => {
  it("auto overlaps reads only while even the fastest answer waits on the network", () => {
    expect(chooseConcurrency("auto", 2)).toBe(1);
    expect(chooseConcurrency(undefined, 9.9)).toBe(1);
    expect(chooseConcurrency("auto", 10)).toBe(4);
    expect(chooseConcurrency("auto", 180)).toBe(4);
    expect(chooseConcurrency("auto", undefined)).toBe(4);
    expect(chooseConcurrency(1, 500)).toBe(1);
    expect(chooseConcurrency(8, 1)).toBe(8);
    expect(chooseConcurrency(0, 1)).toBe(1);
  });
});

