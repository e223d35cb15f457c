/**
 * B6 — incremental sync. A full sync of a simulated tenant, then 1% of resources and 1% of assessments change,
 * then an incremental sync; target: incremental ≤ 2% of the full time, both measured in this run, same machine,
 * same simulator (which runs in this process, so its KQL work counts against both).
 *
 * Wall time is the measure; the process CPU time (client and simulator together) is printed beside it, since
 * on a shared machine it is less disturbed by other processes. `--rounds R` repeats full + change + incremental
 * R times (a fresh store each round, the same simulator) and judges the median ratio.
 *
 * `--latency MS` adds that much to every simulator answer (B6 itself is defined without it; with it the request
 * count and the overlap of requests show, as against a real, remote service).
 *
 *   npx tsx bench/b6-incremental-sync.ts [--resources N] [--assessments-per-resource K] [--rounds R] [--latency MS] [--concurrency N]  (default: the sync's "auto")
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeFixtureTenant } from "../simulator/fixtures/tenant";
import { startSimulator } from "../simulator/server";
import { loadTenant, syncTenant } from "../src/sources/azure/sync";
import { normalize } from "../src/sources/azure/testing";
import { openStore } from "../src/store/open-store";

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const SUBS = 3;
const resources = arg("resources", 15_000);
const perRes = arg("assessments-per-resource", 3);

const rounds = arg("rounds", 1);
const latencyMs = arg("latency", 0);
// The sync's default, "auto": concurrent reads once answers take ≥ 10 ms (try --latency 20), one at a time here.
const concurrencyArg = process.argv.indexOf("--concurrency");
const concurrency = concurrencyArg > 0 ? Number(process.argv[concurrencyArg + 1]) : "auto";

const tenant = makeFixtureTenant({ now: new Date(), subscriptions: SUBS, resourcesPerSubscription: Math.ceil(resources / SUBS), assessmentsPerResource: perRes, activityPerSubscription: 60 });
const rows = tenant.resources.length + tenant.securityResources.length + tenant.resourceContainers.length + tenant.authorizationResources.length + tenant.activityLog.length + tenant.alerts.length;
console.log(`tenant: ${tenant.resources.length} resources, ${tenant.securityResources.length} security rows, ${rows} rows in all`);

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const ratios: number[] = [];
const cpuRatios: number[] = [];
const closeRatios: number[] = [];
let allSame = true;

for (let round = 1; round <= rounds; round++) {
  // Every round starts from the same tenant in a fresh simulator and a fresh store, so rounds are alike.
  const sim = await startSimulator({ tenant, pageSize: 200, latencyMs });
  const conn = { armEndpoint: sim.url, token: sim.token, ca: sim.cert.cert };
  const dir = mkdtempSync(join(tmpdir(), "clarion-b6-"));
  const dbFile = join(dir, "b6.db");
  // Each sync runs as `clarion sync` does: open the store, sync, close it (SQLite checkpoints its WAL on close).
  let store = await openStore(dbFile);
  const closeTimed = async () => {
    const t = performance.now();
    await store.close();
    return performance.now() - t;
  };

  let req0 = sim.stats.requests;
  let cpu0 = process.cpuUsage();
  const full = await syncTenant({ ...conn, store, concurrency });
  const fullCpu = cpuMs(process.cpuUsage(cpu0));
  const fullReq = sim.stats.requests - req0;
  const fullClose = await closeTimed();

  // 1% change: resources retagged (plus one deleted, one created), assessments flipped.
  sim.updateTenant((t) => {
    const nRes = Math.max(1, Math.round(t.resources.length / 100));
    for (let i = 0; i < nRes; i++) t.resources[(i * 97) % t.resources.length].tags = { env: "changed", n: String(i) };
    const assessments = t.securityResources.filter((r) => r.type === "microsoft.security/assessments") as any[];
    const nA = Math.max(1, Math.round(assessments.length / 100));
    for (let i = 0; i < nA; i++) {
      const a = assessments[(i * 89) % assessments.length];
      a.properties.status.code = a.properties.status.code === "Healthy" ? "Unhealthy" : "Healthy";
    }
    const gone = t.resources.pop();
    if (gone) t.securityResources = t.securityResources.filter((r) => !r.id.toLowerCase().startsWith(`${gone.id.toLowerCase()}/`));
    const born = structuredClone(t.resources[0]);
    born.id += "-b6";
    born.name += "-b6";
    t.resources.push(born);
  });

  store = await openStore(dbFile);
  req0 = sim.stats.requests;
  let stepAt = performance.now();
  let stepName = "";
  const stepTimes: string[] = [];
  cpu0 = process.cpuUsage();
  const inc = await syncTenant({
    ...conn,
    store,
    concurrency,
    onProgress: (p) => {
      if (p.step === stepName) return;
      const t = performance.now();
      if (stepName) stepTimes.push(`${stepName} ${(t - stepAt).toFixed(0)}ms`);
      stepName = p.step;
      stepAt = t;
    },
  });
  const incCpu = cpuMs(process.cpuUsage(cpu0));
  stepTimes.push(`${stepName} ${(performance.now() - stepAt).toFixed(0)}ms`);
  const incReq = sim.stats.requests - req0;
  const incClose = await closeTimed();
  store = await openStore(dbFile);

  const same = JSON.stringify(normalize(await loadTenant(store))) === JSON.stringify(normalize(sim.snapshot()));
  allSame &&= same;
  const ratio = inc.durationMs / full.durationMs;
  const withClose = (inc.durationMs + incClose) / (full.durationMs + fullClose);
  ratios.push(ratio);
  closeRatios.push(withClose);
  cpuRatios.push(incCpu / fullCpu);
  if (rounds > 1) console.log(`round ${round}:`);
  console.log(`full sync:        ${full.durationMs.toFixed(0)} ms (cpu ${fullCpu.toFixed(0)} ms), ${fullReq} requests, ${full.added} rows added`);
  console.log(`incremental sync: ${inc.durationMs.toFixed(0)} ms (cpu ${incCpu.toFixed(0)} ms), ${incReq} requests, ${inc.added} added, ${inc.changed} changed, ${inc.removed} removed`);
  console.log(`incremental steps: ${stepTimes.join(", ")}`);
  console.log(`store close (WAL checkpoint): ${fullClose.toFixed(0)} ms after the full sync, ${incClose.toFixed(0)} ms after the incremental`);
  console.log(`ratio incremental/full: ${(ratio * 100).toFixed(2)}% (cpu ${((incCpu / fullCpu) * 100).toFixed(2)}%; with each close ${(withClose * 100).toFixed(2)}%)`);
  console.log(`store equals the simulator after the incremental sync: ${same}`);
  await store.close();
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
}

const ratio = median(ratios);
const pct = (xs: number[]) => xs.map((x) => `${(x * 100).toFixed(2)}%`).join(" ");
if (rounds > 1) console.log(`ratios: ${pct(ratios)}; cpu ratios: ${pct(cpuRatios)}; with close: ${pct(closeRatios)}`);
console.log(`${rounds > 1 ? "median " : ""}ratio incremental/full: ${(ratio * 100).toFixed(2)}% (target ≤ 2%) ${ratio <= 0.02 ? "PASS" : "FAIL"}`);
if (!allSame || ratio > 0.02) process.exitCode = 1;
