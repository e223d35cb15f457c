import { ConflictError } from "../domain/errors";
import { verifyChain } from "../store/audit-chain";
import type { AuditEvent, SqlParam } from "../store/store";
import type { Json } from "./format";
import { drainOutbox, type RetryPolicy } from "./outbox";
import { insertOutboxRows, migrateDelivery, type NewOutboxMessage, once, type SqlStore, type StoreDeliveryRepo } from "./repo";
import { type AuditRow, toAuditRow } from "./audit-row";
import { batchRows, type Sink } from "./sinks";

/**
 * The audit log to a Logs Ingestion stream (ClarionAudit_CL) through the outbox, idempotent per event.
 *
 * Every exported event gets a row in `audit_exports` (sink, stream, seq → hash, outbox message key), written in
 * the same transaction as the outbox messages that carry it. The primary key makes "each event is queued once
 * per stream" a database guarantee: a second export (or two at once, on SQLite or PostgreSQL) only queues the
 * events after the last one already queued, and a run that finds another one's rows in its way rolls back and
 * starts again from the new end. Delivery is then the outbox's: ≤ 1 MB messages, a 413 halves the call,
 * 408/429/5xx and network errors are retried with backoff (a 429 no sooner than its Retry-After), other 4xx
 * are dead-lettered.
 *
 * The Logs Ingestion API itself has no idempotency key, so a call whose answer is lost is sent again: a row can
 * arrive twice in the table (same Seq and Hash). Queries dedupe by `Seq` (docs/delivery.md).
 */

export const AUDIT_TOPIC = "audit.rows";

/** Where the rows go: the configured sink name and its Logs Ingestion stream. */
export interface AuditTarget {
  sink: string;
  stream: string;
}

/** The local log no longer continues what the target already holds (or does not verify): nothing is queued. */
export class AuditExportRefused extends ConflictError {
  constructor(message: string) {
    super(message, { hint: "run `clarion audit verify`; compare with the rows already in the table (docs/delivery.md)" });
  }
}

/** Another export queued some of the same events first; the run starts again from the new end. */
class ExportRace extends Error {}

/**
 * The `audit_exports` table, as `migrateFeature("audit-export", …)` migrations (append, never edit): which audit
 * events went to which Logs Ingestion stream, and in which outbox message (by its idempotency key).
 */
export const AUDIT_EXPORT_MIGRATIONS = [
  `CREATE TABLE IF NOT EXISTS audit_exports (
     sink TEXT NOT NULL, stream TEXT NOT NULL, seq BIGINT NOT NULL, hash TEXT NOT NULL, message_key TEXT NOT NULL,
     exported_at TEXT NOT NULL, PRIMARY KEY (sink, stream, seq));
   CREATE INDEX IF NOT EXISTS audit_exports_message ON audit_exports (message_key);`,
];

const migrated = new WeakMap<SqlStore, () => Promise<void>>();

/** Creates the outbox and the audit_exports tables (idempotent; once per store object). */
export function migrateAuditExport(store: SqlStore): Promise<void> {
  let ready = migrated.get(store);
  if (!ready) {
    ready = once(async () => {
      await migrateDelivery(store);
      await store.migrateFeature("audit-export", AUDIT_EXPORT_MIGRATIONS);
    });
    migrated.set(store, ready);
  }
  return ready();
}

/** Markers per INSERT (6 parameters each). */
const MARKER_CHUNK = 150;

/** The last event queued for the target: its seq and the hash it had then. */
export async function lastExported(repo: StoreDeliveryRepo, t: AuditTarget): Promise<{ seq: number; hash: string } | undefined> {
  await migrateAuditExport(repo.store);
  const [r] = await repo.store.query<{ seq: number | string; hash: string }>(
    "SELECT seq, hash FROM audit_exports WHERE sink = ? AND stream = ? ORDER BY seq DESC LIMIT 1",
    [t.sink, t.stream],
  );
  return r ? { seq: Number(r.seq), hash: r.hash } : undefined;
}

/** The outbox messages for `events` (already after the watermark, in seq order): ≤ `maxBytes` of rows each. */
export function auditMessages(
  events: AuditEvent[],
  t: AuditTarget,
  chainId: string,
  exportedAt: string,
  maxBytes = 1_000_000,
): { message: NewOutboxMessage; events: AuditEvent[] }[] {
  const bySeq = new Map(events.map((e) => [e.seq, e]));
  const rows = events.map((e) => toAuditRow(e, chainId, exportedAt) as Json);
  return batchRows(rows, maxBytes).map((batch) => {
    const first = batch[0] as AuditRow;
    const last = batch[batch.length - 1] as AuditRow;
    return {
      message: {
        idempotencyKey: `${t.sink}:audit:${t.stream}:${first.Seq}-${last.Seq}:${String(last.Hash).slice(0, 16)}`,
        sink: t.sink,
        topic: AUDIT_TOPIC,
        findingId: null,
        payload: { rows: batch },
      },
      events: batch.map((r) => bySeq.get(Number(r.Seq)) as AuditEvent),
    };
  });
}

/**
 * Queues the events after the target's last exported one. `load` reads the log; it is called after the
 * target's end is read (so a log that only grows always reaches it) and again when another export got there
 * first. Refuses (AuditExportRefused) when the log does not verify, or when the event the target last received
 * is gone or has another hash now (the log was replaced or rewritten after that export).
 */
export async function enqueueAuditExport(
  repo: StoreDeliveryRepo,
  load: () => Promise<AuditEvent[]>,
  t: AuditTarget,
  now: string,
  maxBytes = 1_000_000,
): Promise<{ events: AuditEvent[]; from: number; queued: number; messages: number }> {
  for (let attempt = 1; ; attempt++) {
    const last = await lastExported(repo, t);
    const events = await load();
    const v = verifyChain(events);
    if (!v.ok)
      throw new AuditExportRefused(
        `the audit log does not verify (event #${v.problem?.position}, seq ${v.problem?.seq}: ${v.problem?.reason}); nothing was exported`,
      );
    const from = last?.seq ?? 0;
    if (last) {
      const mine = events[last.seq - 1];
      if (!mine || mine.hash !== last.hash)
        throw new AuditExportRefused(
          `sink '${t.sink}' (${t.stream}) already holds the log up to seq ${last.seq} with hash ${last.hash.slice(0, 16)}…, ` +
            `but this store ${mine ? `has hash ${mine.hash.slice(0, 16)}… there` : `ends at seq ${events.length}`}: ` +
            "the local log was replaced or rewritten after that export; nothing was exported",
        );
    }
    const fresh = events.slice(from);
    if (!fresh.length) return { events, from, queued: 0, messages: 0 };
    const planned = auditMessages(fresh, t, events[0].hash, now, maxBytes);
    try {
      await repo.store.transaction(async (tx) => {
        for (const { message, events: batch } of planned)
          for (let i = 0; i < batch.length; i += MARKER_CHUNK) {
            const chunk = batch.slice(i, i + MARKER_CHUNK);
            const params: SqlParam[] = chunk.flatMap((e) => [t.sink, t.stream, e.seq, e.hash, message.idempotencyKey, now]);
            const { changes } = await tx.exec(
              `INSERT INTO audit_exports (sink, stream, seq, hash, message_key, exported_at)
               VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?)").join(", ")} ON CONFLICT (sink, stream, seq) DO NOTHING`,
              params,
            );
            // Another export queued some of these first: roll back, and start again from its end.
            if (changes !== chunk.length) throw new ExportRace();
          }
        await insertOutboxRows(
          tx,
          planned.map((p) => p.message),
          now,
        );
      });
      return { events, from, queued: fresh.length, messages: planned.length };
    } catch (e) {
      if (!(e instanceof ExportRace) || attempt >= 5) throw e;
    }
  }
}

export interface AuditEventStates {
  /** Events per outbox state of the message that carries them. */
  delivered: number;
  pending: number;
  dead: number;
  /** Message key → id, state and number of events. */
  messages: Map<string, { id: string; state: string; events: number }>;
}

/** Where each exported event (seq ≤ `upTo`) stands: the state of the outbox message that carries it. */
export async function auditExportStates(repo: StoreDeliveryRepo, t: AuditTarget, upTo: number): Promise<AuditEventStates> {
  await migrateAuditExport(repo.store);
  const rows = await repo.store.query<{ k: string; id: string; state: string; n: number | string }>(
    `SELECT a.message_key AS k, o.id AS id, o.state AS state, count(*) AS n
       FROM audit_exports a JOIN outbox o ON o.idempotency_key = a.message_key
      WHERE a.sink = ? AND a.stream = ? AND a.seq <= ?
      GROUP BY a.message_key, o.id, o.state`,
    [t.sink, t.stream, upTo],
  );
  const out: AuditEventStates = { delivered: 0, pending: 0, dead: 0, messages: new Map() };
  for (const r of rows) {
    const n = Number(r.n);
    out.messages.set(r.k, { id: r.id, state: r.state, events: n });
    if (r.state === "delivered" || r.state === "pending" || r.state === "dead") out[r.state] += n;
  }
  return out;
}

export interface AuditExportReport {
  sink: string;
  stream: string;
  /** Events in the local log. read = sent + alreadySent + failed. */
  read: number;
  /** Delivered by this run. */
  sent: number;
  /** Delivered before (an earlier export, `clarion deliver run`), or meanwhile by another process. */
  alreadySent: number;
  /** Not delivered: pending (retried later by `clarion deliver run` or the next export) + dead (needs `clarion deliver requeue ID`). */
  failed: number;
  pending: number;
  dead: number;
  /** Events and messages queued by this run. */
  queued: number;
  messages: number;
  /** Dead-lettered message ids of this target. */
  deadMessages: string[];
  errors: { id: string; sink: string; error: string }[];
}

/**
 * `clarion audit export --sink NAME` for a Logs Ingestion sink: queue the new events, deliver this sink's due
 * messages (each about once per run: as many rounds as there were due messages / 50), then count every event
 * by the state of the message that carries it.
 */
export async function exportAuditLog(
  repo: StoreDeliveryRepo,
  load: () => Promise<AuditEvent[]>,
  sink: Sink,
  stream: string,
  opts: { retry?: Partial<RetryPolicy>; now?: () => Date; maxBytes?: number } = {},
): Promise<AuditExportReport> {
  const now = opts.now ?? (() => new Date());
  const t = { sink: sink.name, stream };
  const q = await enqueueAuditExport(repo, load, t, now().toISOString(), opts.maxBytes);
  const upTo = q.events.length;
  const [{ n: due }] = await repo.store.query<{ n: number | string }>(
    "SELECT count(*) AS n FROM outbox WHERE sink = ? AND state = 'pending' AND next_attempt_at <= ?",
    [sink.name, now().toISOString()],
  );
  const r = await drainOutbox(repo, [sink], {
    retry: opts.retry,
    now,
    onlySinks: [sink.name],
    maxRounds: Math.max(1, Math.ceil(Number(due) / 50)),
  });
  const after = await auditExportStates(repo, t, upTo);
  // Sent by this run: what its own dispatch delivered (another process may deliver some at the same time).
  const mine = new Set(r.deliveredIds);
  let sent = 0;
  for (const m of after.messages.values()) if (m.state === "delivered" && mine.has(m.id)) sent += m.events;
  return {
    sink: sink.name,
    stream,
    read: upTo,
    sent,
    alreadySent: after.delivered - sent,
    failed: after.pending + after.dead,
    pending: after.pending,
    dead: after.dead,
    queued: q.queued,
    messages: q.messages,
    deadMessages: [...after.messages.values()].filter((m) => m.state === "dead").map((m) => m.id),
    errors: r.errors,
  };
}
