/**
 * The kill test at full size: 3 worker processes on 100k findings, one SIGKILLed mid-run, a replacement
 * started; prints the counts that must hold (every finding written once, none missing).
 * Run: npx tsx bench/b1/worker-kill.ts [--findings 100000] [--db postgres://…?schema=NAME]
 * Without --db it uses a throw-away schema on CLARION_TEST_PG (default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { pgTestSchema } from "../../src/store/postgres-testing";
import { runKillScenario } from "../../src/worker/kill-scenario";

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};

async function main() {
  const findings = Number(arg("--findings") ?? 100_000);
  const target = arg("--db") ? undefined : await pgTestSchema("killbench");
  const url = arg("--db") ?? target?.url;
  if (!url) throw new Error("PostgreSQL not reachable; pass --db");
  try {
    const r = await runKillScenario({ url, findings, workers: 3, killAt: 0.3, expireSeconds: 10, timeoutMs: 30 * 60_000, log: (l) => console.error(l) });
    const ok = r.progress.findingsWritten === findings && r.progress.distinctFindings === findings && r.storedFindings === findings && r.progress.maxCommits === 1 && r.auditOk && r.restartedBatches > 0;
    console.log(JSON.stringify({ findings, ...r.progress, storedFindings: r.storedFindings, auditOk: r.auditOk, killedAt: `${r.doneAtKill}/${r.progress.batches}`, victimBatches: r.victimBatches, restartedBatches: r.restartedBatches, seconds: r.seconds, findingsPerSecond: Math.round(findings / r.seconds.work), verdict: ok ? "PASS" : "FAIL" }, null, 2));
    if (!ok) process.exitCode = 1;
  } finally {
    await target?.drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
