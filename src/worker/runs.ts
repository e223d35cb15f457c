import { recordAssessments } from "../compliance/persist";
import { createHash, randomUUID } from "node:crypto";
import type { Finding } from "../domain/finding";
import type { Assessment } from "../domain/records";
import { loadAllPacks } from "../packs/loader";
import { PackRegistry } from "../packs/registry";
import type { NormalizedTenant } from "../pipeline/normalize";
import { loadSideAnalyses } from "../pipeline/side-analyses";
import type { Store } from "../store/store";
import { partitionOf, type SharedContext } from "./enrich-batch";
import { migrateWorker } from "./schema";

const PART = 2000;
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export interface BatchRef {
  runId: string;
  batchId: string;
  subscriptionId: string;
  group: string;
  size: number;
}

export interface SubmitOptions {
  source: string;
  now?: Date;
  /** Largest batch; a bigger (subscription, group) is cut into slices of at most this many findings. */
  batchSize?: number;
  /** Run the side analyses (graph, changes) once here and share their results (default true). */
  sideAnalyses?: boolean;
  runId?: string;
}

/**
 * Records a run for the workers: the shared estate (without assessments), one batch per slice of each
 * (subscription, finding group), and the run row. Returns the batches to enqueue. Idempotent per runId.
 */
export async function submitRun(store: Store, tenant: NormalizedTenant, opts: SubmitOptions): Promise<{ runId: string; batches: BatchRef[]; findings: number }> {
  await migrateWorker(store);
  const now = opts.now ?? new Date();
  const runId = opts.runId ?? `run-${now.toISOString().replace(/[-:.TZ]/g, "").slice(0, 14)}-${randomUUID().slice(0, 6)}`;
  const batchSize = Math.max(1, opts.batchSize ?? 500);
  const side = opts.sideAnalyses === false ? undefined : await loadSideAnalyses(tenant, now);
  const registry = new PackRegistry((await loadAllPacks()).packs);

  const groups = new Map<string, { subscriptionId: string; group: string; items: Assessment[] }>();
  for (const a of tenant.assessments) {
    if (a.status !== "Unhealthy") continue;
    const p = partitionOf(registry, a);
    const key = `${p.subscriptionId}|${p.group}`;
    const g = groups.get(key) ?? { ...p, items: [] };
    g.items.push(a);
    groups.set(key, g);
  }

  const batches: BatchRef[] = [];
  let findings = 0;
  await store.transaction(async (tx) => {
    const shared: [string, unknown[]][] = [
      ["resources", tenant.resources],
      ["subAssessments", tenant.subAssessments],
      ["secureScores", tenant.secureScores],
      ["secureScoreControls", tenant.secureScoreControls],
      ["activity", tenant.activity],
      ["alerts", tenant.alerts],
      ["exposure", [...(side?.ports.exposure ?? new Map()).entries()]],
      ["attackPaths", [...(side?.ports.attackPaths ?? new Map()).entries()]],
      ["rootCauses", [...(side?.ports.rootCauses ?? new Map()).entries()]],
    ];
    await tx.exec("DELETE FROM worker_context WHERE run_id = ?", [runId]);
    for (const [kind, list] of shared)
      for (let i = 0, part = 0; i < list.length || part === 0; i += PART, part++)
        await tx.exec("INSERT INTO worker_context (run_id, kind, part, doc) VALUES (?, ?, ?, ?)", [runId, kind, part, JSON.stringify(list.slice(i, i + PART))]);
    for (const g of [...groups.values()].sort((x, y) => (x.subscriptionId + x.group).localeCompare(y.subscriptionId + y.group))) {
      for (let i = 0; i < g.items.length; i += batchSize) {
        const slice = g.items.slice(i, i + batchSize);
        const batchId = `${sha256(`${g.subscriptionId}|${g.group}`).slice(0, 12)}-${i / batchSize}`;
        await tx.exec(
          "INSERT INTO worker_batches (run_id, batch_id, subscription_id, grp, group_size, size, assessments, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued') ON CONFLICT (run_id, batch_id) DO NOTHING",
          [runId, batchId, g.subscriptionId, g.group, g.items.length, slice.length, JSON.stringify(slice)],
        );
        batches.push({ runId, batchId, subscriptionId: g.subscriptionId, group: g.group, size: slice.length });
        findings += slice.length;
      }
    }
    await tx.exec(
      "INSERT INTO worker_runs (run_id, created_at, now, source, batches, findings_expected, status) VALUES (?, ?, ?, ?, ?, ?, 'running') ON CONFLICT (run_id) DO NOTHING",
      [runId, new Date().toISOString(), now.toISOString(), opts.source, batches.length, findings],
    );
  });
  // Every assessment (healthy ones too), so gap analysis can show passed controls for a worker-built run.
  await recordAssessments(store, tenant.assessments);
  await store.saveRun({ id: runId, startedAt: new Date().toISOString(), source: `${opts.source} (workers)` });
  await store.appendAudit([{ time: new Date().toISOString(), actor: "clarion-worker", action: "run.submitted", subject: runId, digest: sha256(opts.source), details: { batches: batches.length, findings } }]);
  return { runId, batches, findings };
}

/** The shared context of a run, as the submitter stored it. */
export async function loadShared(store: Store, runId: string): Promise<SharedContext> {
  const run = (await store.query<{ now: string }>("SELECT now FROM worker_runs WHERE run_id = ?", [runId]))[0];
  if (!run) throw new Error(`unknown run ${runId}`);
  const parts = await store.query<{ kind: string; doc: string }>("SELECT kind, doc FROM worker_context WHERE run_id = ? ORDER BY kind, part", [runId]);
  const by = new Map<string, unknown[]>();
  for (const p of parts) {
    const list = by.get(p.kind) ?? [];
    for (const x of JSON.parse(p.doc) as unknown[]) list.push(x);
    by.set(p.kind, list);
  }
  const get = <T>(k: string) => (by.get(k) ?? []) as T[];
  const tenant: NormalizedTenant = {
    resources: get("resources"),
    assessments: [],
    subAssessments: get("subAssessments"),
    secureScores: get("secureScores"),
    secureScoreControls: get("secureScoreControls"),
    compliance: [],
    activity: get("activity"),
    alerts: get("alerts"),
  };
  return {
    now: new Date(run.now),
    tenant,
    exposure: new Map(get<[string, string]>("exposure")),
    attackPaths: new Map(get<[string, { id: string; summary: string }[]]>("attackPaths")),
    rootCauses: new Map(get<[string, { changeId: string; caller: string; time: string; operation: string }]>("rootCauses")),
  };
}

export interface BatchRow {
  runId: string;
  batchId: string;
  status: string;
  groupSize: number;
  assessments: Assessment[];
}

/** Counts a delivery and returns the batch, or undefined when it is already done (a redelivery). */
export async function takeBatch(store: Store, runId: string, batchId: string): Promise<BatchRow | undefined> {
  const row = (
    await store.query<{ status: string; group_size: number; assessments: string }>(
      "UPDATE worker_batches SET deliveries = deliveries + 1 WHERE run_id = ? AND batch_id = ? RETURNING status, group_size, assessments",
      [runId, batchId],
    )
  )[0];
  if (!row) throw new Error(`unknown batch ${runId}/${batchId}`);
  if (row.status === "done") return undefined;
  return { runId, batchId, status: row.status, groupSize: row.group_size, assessments: JSON.parse(row.assessments) };
}

/**
 * Writes a batch's findings exactly once: one transaction claims the batch (`status <> 'done'`, which
 * row-locks it on PostgreSQL so a concurrent duplicate waits and then sees it done), upserts the findings
 * and the ledger. Returns false when another delivery committed first (nothing written).
 */
export async function commitBatch(store: Store, runId: string, batchId: string, worker: string, findings: Finding[]): Promise<boolean> {
  const at = new Date().toISOString();
  const won = await store.transaction(async (tx) => {
    const claimed = await tx.exec("UPDATE worker_batches SET status = 'done', commits = commits + 1, done_by = ?, done_at = ? WHERE run_id = ? AND batch_id = ? AND status <> 'done'", [worker, at, runId, batchId]);
    if (claimed.changes !== 1) return false;
    await store.upsertFindings(findings, tx);
    for (let i = 0; i < findings.length; i += 200) {
      const slice = findings.slice(i, i + 200);
      await tx.exec(
        `INSERT INTO worker_enrichments (run_id, finding_id, batch_id, worker, at) VALUES ${slice.map(() => "(?, ?, ?, ?, ?)").join(", ")}`,
        slice.flatMap((f) => [runId, f.id, batchId, worker, at]),
      );
    }
    return true;
  });
  if (!won) return false;
  await store.appendAudit([
    { time: at, actor: worker, action: "worker.batch.enriched", subject: `${runId}/${batchId}`, digest: sha256(JSON.stringify(findings.map((f) => f.id))), details: { findings: findings.length } },
  ]);
  return true;
}

/** When every batch is done, the first worker to notice closes the run (once). */
export async function finishIfComplete(store: Store, runId: string, worker: string): Promise<boolean> {
  const [left] = await store.query<{ n: number }>("SELECT count(*) AS n FROM worker_batches WHERE run_id = ? AND status <> 'done'", [runId]);
  if (left.n > 0) return false;
  const at = new Date().toISOString();
  const closed = await store.exec("UPDATE worker_runs SET status = 'done', finished_at = ? WHERE run_id = ? AND status <> 'done'", [at, runId]);
  if (closed.changes !== 1) return false;
  const [s] = await store.query<{ findings: number; batches: number; deliveries: number }>(
    "SELECT sum(size) AS findings, count(*) AS batches, sum(deliveries) AS deliveries FROM worker_batches WHERE run_id = ?",
    [runId],
  );
  await store.appendAudit([{ time: at, actor: worker, action: "run.finished", subject: runId, digest: sha256(JSON.stringify(s)), details: { ...s } }]);
  const run = (await store.listRuns()).find((r) => r.id === runId);
  if (run) await store.saveRun({ ...run, finishedAt: at, summary: s });
  return true;
}

export interface RunProgress {
  runId: string;
  status: string;
  batches: number;
  done: number;
  findingsExpected: number;
  findingsWritten: number;
  distinctFindings: number;
  deliveries: number;
  redeliveries: number;
  maxCommits: number;
}

export async function runProgress(store: Store, runId?: string): Promise<RunProgress[]> {
  await migrateWorker(store);
  const runs = await store.query<{ run_id: string; status: string; findings_expected: number }>(
    `SELECT run_id, status, findings_expected FROM worker_runs ${runId ? "WHERE run_id = ?" : ""} ORDER BY created_at`,
    runId ? [runId] : [],
  );
  const out: RunProgress[] = [];
  for (const r of runs) {
    const [b] = await store.query<{ batches: number; done: number; deliveries: number; redeliveries: number; max_commits: number }>(
      "SELECT count(*) AS batches, sum(CASE WHEN status = 'done' THEN 1 ELSE 0 END) AS done, sum(deliveries) AS deliveries, sum(CASE WHEN deliveries > 1 THEN deliveries - 1 ELSE 0 END) AS redeliveries, max(commits) AS max_commits FROM worker_batches WHERE run_id = ?",
      [r.run_id],
    );
    const [e] = await store.query<{ written: number; distinct_findings: number }>(
      "SELECT count(*) AS written, count(DISTINCT finding_id) AS distinct_findings FROM worker_enrichments WHERE run_id = ?",
      [r.run_id],
    );
    out.push({
      runId: r.run_id,
      status: r.status,
      batches: b.batches,
      done: b.done ?? 0,
      findingsExpected: r.findings_expected,
      findingsWritten: e.written,
      distinctFindings: e.distinct_findings,
      deliveries: b.deliveries ?? 0,
      redeliveries: b.redeliveries ?? 0,
      maxCommits: b.max_commits ?? 0,
    });
  }
  return out;
}
