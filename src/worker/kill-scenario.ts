import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { loadAllPacks } from "../packs/loader";
import { verifyChain } from "../store/audit-chain";
import { openStore } from "../store/open-store";
import { enqueueBatches, startBoss } from "./queue";
import { type RunProgress, runProgress, submitRun } from "./runs";
import { syntheticTenant } from "./synthetic";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "../../bin/clarion.mjs");

export interface KillScenarioOptions {
  /** postgres:// URL of an empty schema. */
  url: string;
  findings: number;
  workers?: number;
  /** Kill one worker (SIGKILL) when this fraction of the batches is done. */
  killAt?: number;
  /** Job expiry: how long the dead worker's batch waits before it is handed out again. */
  expireSeconds?: number;
  concurrency?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface KillScenarioResult {
  progress: RunProgress;
  storedFindings: number;
  auditOk: boolean;
  killedPid: number | undefined;
  doneAtKill: number;
  /** Batches the killed worker committed before it died. */
  victimBatches: number;
  /** Batches committed by the worker started after the kill. */
  restartedBatches: number;
  reports: { workerId: string; batches: number; findings: number; duplicatesSkipped: number; lostCommits: number }[];
  seconds: { submit: number; work: number };
}

interface Proc {
  child: ChildProcess;
  out: string;
  exited: Promise<number | null>;
}

function startWorker(url: string, expire: number, concurrency: number, log: (l: string) => void): Proc {
  const child = spawn(process.execPath, [BIN, "worker", "--db", url, "--exit-when-idle", "--expire", String(expire), "--concurrency", String(concurrency)], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CLARION_LLM_PROVIDER: "offline" },
  });
  const p: Proc = { child, out: "", exited: new Promise((res) => child.on("exit", (code) => res(code))) };
  child.stdout?.on("data", (d) => {
    p.out += d;
  });
  child.stderr?.on("data", (d) => {
    for (const l of String(d).split("\n").filter(Boolean)) if (!/^skip /.test(l)) log(`[${child.pid}] ${l}`);
  });
  return p;
}

/**
 * The kill test: N worker processes on one run, one SIGKILLed mid-run, a replacement started. Every
 * finding must be written exactly once, nothing missing, the audit chain intact.
 */
export async function runKillScenario(o: KillScenarioOptions): Promise<KillScenarioResult> {
  const log = o.log ?? (() => {});
  const expire = o.expireSeconds ?? 4;
  const concurrency = o.concurrency ?? 2;
  const store = await openStore(o.url);
  try {
    let t = Date.now();
    const packs = (await loadAllPacks()).packs;
    const tenant = syntheticTenant(packs, { findings: o.findings });
    const run = await submitRun(store, tenant, { source: `kill scenario (${o.findings} findings)`, sideAnalyses: false });
    const boss = await startBoss(o.url, { expireInSeconds: expire });
    await enqueueBatches(boss, run.batches, { expireInSeconds: expire });
    await boss.stop({ graceful: false, wait: true }).catch(() => {});
    const submitSeconds = (Date.now() - t) / 1000;
    log(`submitted ${run.findings} findings in ${run.batches.length} batches (${submitSeconds.toFixed(1)} s)`);

    t = Date.now();
    const procs = Array.from({ length: o.workers ?? 3 }, () => startWorker(o.url, expire, concurrency, log));
    const deadline = Date.now() + (o.timeoutMs ?? 110_000);
    let victim: Proc | undefined;
    let replacement: Proc | undefined;
    let doneAtKill = 0;
    for (;;) {
      if (Date.now() > deadline) throw new Error("kill scenario timed out");
      const [p] = await runProgress(store, run.runId);
      if (!victim && p.done >= (o.killAt ?? 0.25) * p.batches) {
        victim = procs[0];
        victim.child.kill("SIGKILL");
        doneAtKill = p.done;
        log(`SIGKILL worker ${victim.child.pid} at ${p.done}/${p.batches} batches`);
        replacement = startWorker(o.url, expire, concurrency, log);
        procs.push(replacement);
      }
      if (p.status === "done" && victim) break;
      await sleep(200);
    }
    const live = procs.filter((p) => p !== victim);
    await Promise.race([Promise.all(live.map((p) => p.exited)), sleep(30_000)]);
    for (const p of live) if (p.child.exitCode === null) p.child.kill("SIGTERM");
    const workSeconds = (Date.now() - t) / 1000;
    const reports = live.map((p) => JSON.parse(p.out.trim().split("\n").pop() || "{}"));
    const [progress] = await runProgress(store, run.runId);
    const [vb] = await store.query<{ n: number }>("SELECT count(*) AS n FROM worker_batches WHERE run_id = ? AND done_by LIKE ?", [run.runId, `%:${victim?.child.pid}`]);
    return {
      victimBatches: vb.n,
      progress,
      storedFindings: await store.countFindings(),
      auditOk: verifyChain(await store.listAudit()).ok,
      killedPid: victim?.child.pid,
      doneAtKill,
      restartedBatches: replacement ? (reports[live.indexOf(replacement)]?.batches ?? 0) : 0,
      reports,
      seconds: { submit: submitSeconds, work: workSeconds },
    };
  } finally {
    await store.close();
  }
}
