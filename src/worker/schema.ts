import type { Store } from "../store/store";

/**
 * The worker's tables, through the Store's portable feature migrations (so the same code runs on SQLite in
 * tests and PostgreSQL in production). Append new statements; never edit one that has shipped.
 *
 * - worker_runs: one row per submitted run (reference time, expected findings, done when every batch is).
 * - worker_context: the run's shared, read-only estate (resources, activity, alerts, side-analysis maps), in parts.
 * - worker_batches: the unit of work: one (subscription, finding group) slice of unhealthy assessments.
 *   `deliveries` counts every time the queue handed the batch to a worker; `commits` the times its
 *   findings were written (exactly 1 when done).
 * - worker_enrichments: one ledger row per finding written, with the batch and worker. No unique key on
 *   purpose: a duplicate write would show up here instead of being silently absorbed.
 * - worker_buckets: shared token buckets (LLM tokens per minute across every worker).
 */
export const WORKER_FEATURE = "clarion.worker";

export const WORKER_MIGRATIONS: string[] = [
  `CREATE TABLE IF NOT EXISTS worker_runs (run_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, now TEXT NOT NULL, source TEXT NOT NULL,
     batches INTEGER NOT NULL, findings_expected INTEGER NOT NULL, status TEXT NOT NULL, finished_at TEXT);
   CREATE TABLE IF NOT EXISTS worker_context (run_id TEXT NOT NULL, kind TEXT NOT NULL, part INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (run_id, kind, part));
   CREATE TABLE IF NOT EXISTS worker_batches (run_id TEXT NOT NULL, batch_id TEXT NOT NULL, subscription_id TEXT NOT NULL, grp TEXT NOT NULL,
     group_size INTEGER NOT NULL, size INTEGER NOT NULL, assessments TEXT NOT NULL, status TEXT NOT NULL,
     deliveries INTEGER NOT NULL DEFAULT 0, commits INTEGER NOT NULL DEFAULT 0, done_by TEXT, done_at TEXT, PRIMARY KEY (run_id, batch_id));
   CREATE INDEX IF NOT EXISTS worker_batches_status ON worker_batches(run_id, status);
   CREATE TABLE IF NOT EXISTS worker_enrichments (run_id TEXT NOT NULL, finding_id TEXT NOT NULL, batch_id TEXT NOT NULL, worker TEXT NOT NULL, at TEXT NOT NULL);
   CREATE INDEX IF NOT EXISTS worker_enrichments_finding ON worker_enrichments(run_id, finding_id);
   CREATE TABLE IF NOT EXISTS worker_buckets (name TEXT PRIMARY KEY, capacity DOUBLE PRECISION NOT NULL, per_second DOUBLE PRECISION NOT NULL,
     tokens DOUBLE PRECISION NOT NULL, updated_ms DOUBLE PRECISION NOT NULL);`,
];

export async function migrateWorker(store: Store): Promise<void> {
  await store.migrateFeature(WORKER_FEATURE, WORKER_MIGRATIONS);
}
