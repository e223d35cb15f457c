import { createHash } from "node:crypto";
import PgBoss from "pg-boss";
import { parsePgTarget } from "../store/postgres-sql";
import type { BatchRef } from "./runs";

/** The pg-boss queue every worker reads batches from. */
export const ENRICH_QUEUE = "clarion-enrich";

export interface QueueOptions {
  /** A batch whose worker died is handed out again this long after it was taken (default 60 s). */
  expireInSeconds?: number;
  /** How often pg-boss looks for expired jobs (default: half the expiry, 1–10 s). */
  maintenanceIntervalSeconds?: number;
  /** How often an idle worker polls (default 0.5 s). */
  pollingIntervalSeconds?: number;
}

export interface JobData {
  runId: string;
  batchId: string;
  subscriptionId: string;
  group: string;
}

/** pg-boss lives beside the store's schema: `<schema>_boss` (`pgboss` for the public schema). */
export function bossSchema(storeSchema: string): string {
  return storeSchema === "public" ? "pgboss" : `${storeSchema}_boss`;
}

export async function startBoss(url: string, opts: QueueOptions = {}): Promise<PgBoss> {
  const target = parsePgTarget(url);
  const boss = new PgBoss({
    connectionString: target.connectionString,
    schema: bossSchema(target.schema),
    max: 3,
    application_name: "clarion-worker",
    maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds ?? Math.max(1, Math.min(10, Math.floor((opts.expireInSeconds ?? 60) / 2))),
    schedule: false,
  });
  boss.on("error", (e) => process.stderr.write(`warning: queue: ${(e as Error).message}\n`));
  await boss.start();
  await boss.createQueue(ENRICH_QUEUE).catch(() => {});
  return boss;
}

/** A job id derived from the batch: enqueuing the same run twice adds nothing. */
export function jobId(runId: string, batchId: string): string {
  const h = createHash("sha256").update(`${runId}/${batchId}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function enqueueBatches(boss: PgBoss, batches: BatchRef[], opts: QueueOptions = {}): Promise<void> {
  for (let i = 0; i < batches.length; i += 500)
    await boss.insert(
      batches.slice(i, i + 500).map((b) => ({
        id: jobId(b.runId, b.batchId),
        name: ENRICH_QUEUE,
        data: { runId: b.runId, batchId: b.batchId, subscriptionId: b.subscriptionId, group: b.group } satisfies JobData,
        retryLimit: 100,
        retryDelay: 0,
        expireInSeconds: opts.expireInSeconds ?? 60,
      })),
    );
}
