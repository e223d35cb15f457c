import { withExemptions } from "../compliance/context";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type PgBoss from "pg-boss";
import { explainStage } from "../ai/explain-stage";
import { createProvider } from "../ai/provider";
import { loadConfig } from "../config/config";
import type { Pack } from "../packs/schema";
import type { Store } from "../store/store";
import { buildEnrichContext, type EnrichContext, enrichBatch } from "./enrich-batch";
import { ENRICH_QUEUE, type JobData, type QueueOptions, startBoss } from "./queue";
import { commitBatch, finishIfComplete, loadShared, takeBatch } from "./runs";
import { migrateWorker } from "./schema";
import { rateLimitedProvider, SharedTokenBucket } from "./token-bucket";

export interface WorkerOptions extends QueueOptions {
  store: Store;
  /** The store's postgres:// URL (pg-boss connects to the same database). */
  url: string;
  /** Batches in flight in this process. */
  concurrency?: number;
  workerId?: string;
  /** Stop when no batch of any run is left to do (scripts, tests); otherwise run until signalled. */
  exitWhenIdle?: boolean;
  /** Shared LLM budget, tokens per minute across every worker (used only when a model provider is configured). */
  llmTokensPerMinute?: number;
  log?: (line: string) => void;
  signal?: AbortSignal;
  /** For tests: packs to use instead of loading ./packs. */
  packs?: Pack[];
}

export interface WorkerReport {
  workerId: string;
  batches: number;
  findings: number;
  /** Deliveries of batches another worker had already committed (skipped, nothing written). */
  duplicatesSkipped: number;
  /** Batches enriched here whose commit lost to another delivery (written by the other one only). */
  lostCommits: number;
}

/**
 * One worker process: takes (subscription, finding group) batches from the pg-boss queue, enriches them
 * with the pure pipeline stage, and commits each batch's findings exactly once (see commitBatch). A worker
 * that dies mid-batch leaves its job active until it expires; pg-boss then hands it to another worker.
 */
export async function runWorker(opts: WorkerOptions): Promise<WorkerReport> {
  const store = opts.store;
  const workerId = opts.workerId ?? `${hostname()}:${process.pid}`;
  const log = opts.log ?? (() => {});
  const report: WorkerReport = { workerId, batches: 0, findings: 0, duplicatesSkipped: 0, lostCommits: 0 };
  await migrateWorker(store);

  const contexts = new Map<string, Promise<EnrichContext>>();
  const contextFor = (runId: string) => {
    let c = contexts.get(runId);
    if (!c) {
      c = loadShared(store, runId).then((shared) => buildEnrichContext(shared, opts.packs));
      contexts.set(runId, c);
      c.catch(() => contexts.delete(runId));
    }
    return c;
  };

  const cfg = loadConfig();
  const bucket = new SharedTokenBucket(store, { name: "llm", tokensPerMinute: opts.llmTokensPerMinute ?? Number(process.env.CLARION_LLM_TPM ?? 60_000) });
  const provider = cfg.llm.provider === "offline" ? undefined : rateLimitedProvider(createProvider(cfg.llm), bucket, cfg.llm.maxOutputTokens);

  const handle = async (data: JobData) => {
    const batch = await takeBatch(store, data.runId, data.batchId);
    if (!batch) {
      report.duplicatesSkipped++;
      log(`skip ${data.batchId}: already committed by another delivery`);
      return;
    }
    const ctx = await contextFor(data.runId);
    let findings = enrichBatch(ctx, batch.assessments, batch.groupSize);
    if (provider) {
      const packsById = new Map(ctx.packs.map((p) => [p.meta.id, p]));
      findings = (await explainStage({ findings, packsById, store, now: ctx.ports.now, provider, config: cfg })).findings;
    }
    // Exemptions recorded in the store apply to worker-written findings exactly as to a single-process run.
    findings = await withExemptions(store, findings, ctx.ports.now);
    if (await commitBatch(store, data.runId, data.batchId, workerId, findings)) {
      report.batches++;
      report.findings += findings.length;
      if (await finishIfComplete(store, data.runId, workerId)) log(`run ${data.runId} complete`);
    } else report.lostCommits++;
  };

  const boss: PgBoss = await startBoss(opts.url, opts);
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const pollMs = (opts.pollingIntervalSeconds ?? 0.5) * 1000;
  let stopping = false;
  // Our own fetch loops (pg-boss's `work` waits a polling interval after every job): fetch, handle,
  // complete; sleep only when the queue is empty. A job that throws is failed and retried by pg-boss.
  const loop = async () => {
    while (!stopping) {
      const [job] = await boss.fetch<JobData>(ENRICH_QUEUE, { batchSize: 1 }).catch(() => [] as PgBoss.Job<JobData>[]);
      if (!job) {
        await sleep(pollMs);
        continue;
      }
      try {
        await handle(job.data);
        await boss.complete(ENRICH_QUEUE, job.id);
      } catch (e) {
        log(`batch ${job.data.batchId} failed: ${(e as Error).message}`);
        await boss.fail(ENRICH_QUEUE, job.id, { message: (e as Error).message }).catch(() => {});
      }
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  log(`worker ${workerId} started (concurrency ${concurrency})`);

  try {
    while (!opts.signal?.aborted) {
      await sleep(500);
      if (opts.exitWhenIdle) {
        const [left] = await store.query<{ n: number }>("SELECT count(*) AS n FROM worker_batches WHERE status <> 'done'");
        if (left.n === 0) break;
      }
    }
  } finally {
    stopping = true;
    await Promise.allSettled(loops);
    await boss.stop({ graceful: false, wait: true, timeout: 10_000 }).catch(() => {});
  }
  log(`worker ${workerId} stopped: ${report.batches} batches, ${report.findings} findings, ${report.duplicatesSkipped} duplicate deliveries skipped`);
  return report;
}
