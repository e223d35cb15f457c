import { randomUUID } from "node:crypto";
import type { SqlParam, SqlRunner, Store } from "../store/store";

/**
 * Delivery persistence: the transactional outbox, one row per delivery attempt, and the tickets each finding
 * has in each ticketing sink. `StoreDeliveryRepo` runs on the Store port's portable SQL (docs/scale-out.md), so
 * the same code serves SQLite and PostgreSQL.
 */
export type OutboxState = "pending" | "delivered" | "dead";

export interface NewOutboxMessage {
  /** Same key = same message: enqueueing it again is a no-op (at-least-once without duplicates). */
  idempotencyKey: string;
  /** Configured sink name (servicenow, jira, teams, slack, sentinel, blob, webhook, or a custom name). */
  sink: string;
  /** What the message is about: finding.ticket, finding.notify, approval.transition, sentinel.rows, policy.draft, audit.export, audit.rows. */
  topic: string;
  findingId?: string | null;
  payload: unknown;
}

export interface OutboxMessage extends Required<Omit<NewOutboxMessage, "findingId">> {
  id: string;
  findingId: string | null;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface DeliveryAttempt {
  messageId: string;
  attempt: number;
  time: string;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** A finding's ticket in one sink; `status` is synced back from the ticketing system. */
export interface TicketRecord {
  findingId: string;
  sink: string;
  externalId: string;
  /** Human key: CHG0030421, INC0010001, SEC-231. */
  number: string;
  url: string | null;
  status: string;
  /** Hash of the last content sent, so an unchanged finding is not re-sent. */
  contentHash: string;
  createdAt: string;
  updatedAt: string;
}

export interface DeliveryRepo {
  /** Inserts messages whose key is new; returns how many were inserted. */
  enqueue(messages: NewOutboxMessage[], now: string): Promise<number>;
  /**
   * Claims up to `limit` due pending messages for `leaseMs` (other workers skip them meanwhile); only messages of
   * `sinks` when given (a command that builds one sink must not claim, and so dead-letter, the others' messages).
   */
  claimDue(now: string, limit: number, leaseMs: number, sinks?: string[]): Promise<OutboxMessage[]>;
  markDelivered(id: string, attempt: DeliveryAttempt): Promise<void>;
  markFailed(id: string, attempt: DeliveryAttempt, next: { nextAttemptAt: string; dead: boolean }): Promise<void>;
  /** Moves a dead message back to pending (operator action). */
  requeue(id: string, now: string): Promise<boolean>;
  list(filter?: { state?: OutboxState; sink?: string; findingId?: string }): Promise<OutboxMessage[]>;
  attempts(messageId: string): Promise<DeliveryAttempt[]>;
  getTicket(findingId: string, sink: string): Promise<TicketRecord | undefined>;
  ticketsFor(findingId: string): Promise<TicketRecord[]>;
  listTickets(): Promise<TicketRecord[]>;
  upsertTicket(t: TicketRecord): Promise<void>;
  /**
   * Whether a later, not dead-lettered message shares `keyPrefix` (same sink and target, newer content), so
   * `msg` is superseded: sending it after the newer one would put old content back.
   */
  newerInGroup?(msg: OutboxMessage, keyPrefix: string): Promise<boolean>;
}

/**
 * The delivery tables, as `migrateFeature("delivery", …)` migrations: append, never edit a shipped one.
 * Migration 1 is the layout SQLite databases already had (all `IF NOT EXISTS`, so an older database that
 * created them before feature migrations existed is adopted as is).
 */
export const DELIVERY_MIGRATIONS = [
  `CREATE TABLE IF NOT EXISTS outbox (
     id TEXT PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE, sink TEXT NOT NULL, topic TEXT NOT NULL, finding_id TEXT,
     payload TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_at TEXT NOT NULL,
     locked_until TEXT, last_error TEXT, created_at TEXT NOT NULL, delivered_at TEXT);
   CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt_at);
   CREATE TABLE IF NOT EXISTS deliveries (
     message_id TEXT NOT NULL, attempt INTEGER NOT NULL, time TEXT NOT NULL, ok INTEGER NOT NULL, status_code INTEGER,
     error TEXT, duration_ms INTEGER NOT NULL, PRIMARY KEY (message_id, attempt));
   CREATE TABLE IF NOT EXISTS tickets (
     finding_id TEXT NOT NULL, sink TEXT NOT NULL, external_id TEXT NOT NULL, number TEXT NOT NULL, url TEXT,
     status TEXT NOT NULL, content_hash TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
     PRIMARY KEY (finding_id, sink));`,
];

/** The part of the Store port the feature repositories use (portable SQL, docs/scale-out.md). */
export type SqlStore = Pick<Store, "migrateFeature" | "query" | "exec" | "transaction">;

/** Creates (or upgrades) the delivery tables on any store. Idempotent; safe when several processes start at once. */
export async function migrateDelivery(store: SqlStore): Promise<void> {
  await store.migrateFeature("delivery", DELIVERY_MIGRATIONS);
}

/** Runs `migrate` once per repository instance (retried after a failure), before the first data access. */
export function once(migrate: () => Promise<void>): () => Promise<void> {
  let ready: Promise<void> | undefined;
  return () =>
    (ready ??= migrate().catch((e) => {
      ready = undefined;
      throw e;
    }));
}

type Row = Record<string, unknown>;

function toMessage(r: Row): OutboxMessage {
  return {
    id: r.id as string,
    idempotencyKey: r.idempotency_key as string,
    sink: r.sink as string,
    topic: r.topic as string,
    findingId: (r.finding_id as string | null) ?? null,
    payload: JSON.parse(r.payload as string),
    state: r.state as OutboxState,
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at as string,
    lastError: (r.last_error as string | null) ?? null,
    createdAt: r.created_at as string,
    deliveredAt: (r.delivered_at as string | null) ?? null,
  };
}

function toTicket(r: Row): TicketRecord {
  return {
    findingId: r.finding_id as string,
    sink: r.sink as string,
    externalId: r.external_id as string,
    number: r.number as string,
    url: (r.url as string | null) ?? null,
    status: r.status as string,
    contentHash: r.content_hash as string,
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
  };
}

const OUTBOX_COLUMNS = "id, idempotency_key, sink, topic, finding_id, payload, state, attempts, next_attempt_at, created_at";
/** Rows per INSERT (8 parameters each: far below SQLite's and PostgreSQL's parameter limits). */
const INSERT_CHUNK = 200;

/**
 * Inserts outbox rows whose idempotency key is new; returns how many were inserted. Takes the caller's
 * transaction (`tx`), so another repository can write its own rows and their messages atomically.
 */
export async function insertOutboxRows(tx: SqlRunner, messages: NewOutboxMessage[], now: string): Promise<number> {
  const seen = new Set<string>();
  const fresh = messages.filter((m) => !seen.has(m.idempotencyKey) && seen.add(m.idempotencyKey));
  let n = 0;
  for (let i = 0; i < fresh.length; i += INSERT_CHUNK) {
    const chunk = fresh.slice(i, i + INSERT_CHUNK);
    const params: SqlParam[] = chunk.flatMap((m) => [
      randomUUID(),
      m.idempotencyKey,
      m.sink,
      m.topic,
      m.findingId ?? null,
      JSON.stringify(m.payload),
      now,
      now,
    ]);
    n += (
      await tx.exec(
        `INSERT INTO outbox (${OUTBOX_COLUMNS}) VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)").join(", ")}
         ON CONFLICT (idempotency_key) DO NOTHING`,
        params,
      )
    ).changes;
  }
  return n;
}

/** The delivery repository on any Store (SQLite or PostgreSQL); creates its tables on first use. */
export class StoreDeliveryRepo implements DeliveryRepo {
  private readonly ready: () => Promise<void>;

  constructor(readonly store: SqlStore) {
    this.ready = once(() => migrateDelivery(store));
  }

  async enqueue(messages: NewOutboxMessage[], now: string): Promise<number> {
    await this.ready();
    return this.store.transaction((tx) => insertOutboxRows(tx, messages, now));
  }

  /**
   * Picks due messages, then leases each with a conditional UPDATE: when several dispatchers (processes) claim
   * at once, the row lock (PostgreSQL) or the write lock (SQLite) lets exactly one of them see `changes = 1`.
   */
  async claimDue(now: string, limit: number, leaseMs: number, sinks?: string[]): Promise<OutboxMessage[]> {
    await this.ready();
    if (sinks && !sinks.length) return [];
    const until = new Date(Date.parse(now) + leaseMs).toISOString();
    const due = "state = 'pending' AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until <= ?)";
    const bySink = sinks ? ` AND sink IN (${sinks.map(() => "?").join(", ")})` : "";
    return this.store.transaction(async (tx) => {
      const rows = await tx.query<Row>(`SELECT * FROM outbox WHERE ${due}${bySink} ORDER BY next_attempt_at, created_at, id LIMIT ?`, [
        now,
        now,
        ...(sinks ?? []),
        limit,
      ]);
      const claimed: OutboxMessage[] = [];
      for (const r of rows)
        if ((await tx.exec(`UPDATE outbox SET locked_until = ? WHERE id = ? AND ${due}`, [until, r.id as string, now, now])).changes === 1)
          claimed.push(toMessage(r));
      return claimed;
    });
  }

  private recordAttempt(tx: SqlRunner, a: DeliveryAttempt): Promise<{ changes: number }> {
    return tx.exec(
      `INSERT INTO deliveries (message_id, attempt, time, ok, status_code, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (message_id, attempt) DO NOTHING`,
      [a.messageId, a.attempt, a.time, a.ok ? 1 : 0, a.statusCode, a.error, Math.round(a.durationMs)],
    );
  }

  async markDelivered(id: string, attempt: DeliveryAttempt): Promise<void> {
    await this.ready();
    await this.store.transaction(async (tx) => {
      await this.recordAttempt(tx, attempt);
      await tx.exec(
        "UPDATE outbox SET state = 'delivered', attempts = ?, delivered_at = ?, locked_until = NULL, last_error = NULL WHERE id = ?",
        [attempt.attempt, attempt.time, id],
      );
    });
  }

  async markFailed(id: string, attempt: DeliveryAttempt, next: { nextAttemptAt: string; dead: boolean }): Promise<void> {
    await this.ready();
    await this.store.transaction(async (tx) => {
      await this.recordAttempt(tx, attempt);
      await tx.exec("UPDATE outbox SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?, locked_until = NULL WHERE id = ?", [
        next.dead ? "dead" : "pending",
        attempt.attempt,
        next.nextAttemptAt,
        attempt.error,
        id,
      ]);
    });
  }

  async requeue(id: string, now: string): Promise<boolean> {
    await this.ready();
    const r = await this.store.exec(
      "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, locked_until = NULL WHERE id = ? AND state = 'dead'",
      [now, id],
    );
    return r.changes > 0;
  }

  async list(filter: { state?: OutboxState; sink?: string; findingId?: string } = {}): Promise<OutboxMessage[]> {
    await this.ready();
    const where: string[] = [];
    const params: SqlParam[] = [];
    if (filter.state) {
      where.push("state = ?");
      params.push(filter.state);
    }
    if (filter.sink) {
      where.push("sink = ?");
      params.push(filter.sink);
    }
    if (filter.findingId) {
      where.push("finding_id = ?");
      params.push(filter.findingId);
    }
    const sql = `SELECT * FROM outbox ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at, id`;
    return (await this.store.query<Row>(sql, params)).map(toMessage);
  }

  async attempts(messageId: string): Promise<DeliveryAttempt[]> {
    await this.ready();
    const rows = await this.store.query<Row>("SELECT * FROM deliveries WHERE message_id = ? ORDER BY attempt", [messageId]);
    return rows.map((r) => ({
      messageId: r.message_id as string,
      attempt: Number(r.attempt),
      time: r.time as string,
      ok: Number(r.ok) === 1,
      statusCode: r.status_code === null || r.status_code === undefined ? null : Number(r.status_code),
      error: (r.error as string | null) ?? null,
      durationMs: Number(r.duration_ms),
    }));
  }

  async getTicket(findingId: string, sink: string): Promise<TicketRecord | undefined> {
    await this.ready();
    const [r] = await this.store.query<Row>("SELECT * FROM tickets WHERE finding_id = ? AND sink = ?", [findingId, sink]);
    return r ? toTicket(r) : undefined;
  }

  async ticketsFor(findingId: string): Promise<TicketRecord[]> {
    await this.ready();
    return (await this.store.query<Row>("SELECT * FROM tickets WHERE finding_id = ? ORDER BY sink", [findingId])).map(toTicket);
  }

  async listTickets(): Promise<TicketRecord[]> {
    await this.ready();
    return (await this.store.query<Row>("SELECT * FROM tickets ORDER BY finding_id, sink")).map(toTicket);
  }

  async newerInGroup(msg: OutboxMessage, keyPrefix: string): Promise<boolean> {
    await this.ready();
    const rows = await this.store.query<Row>(
      `SELECT id FROM outbox WHERE sink = ? AND substr(idempotency_key, 1, ?) = ? AND state <> 'dead' AND id <> ? AND created_at > ? LIMIT 1`,
      [msg.sink, keyPrefix.length, keyPrefix, msg.id, msg.createdAt],
    );
    return rows.length > 0;
  }

  async upsertTicket(t: TicketRecord): Promise<void> {
    await this.ready();
    await this.store.exec(
      `INSERT INTO tickets (finding_id, sink, external_id, number, url, status, content_hash, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (finding_id, sink) DO UPDATE SET external_id = excluded.external_id, number = excluded.number,
         url = excluded.url, status = excluded.status, content_hash = excluded.content_hash, updated_at = excluded.updated_at`,
      [t.findingId, t.sink, t.externalId, t.number, t.url, t.status, t.contentHash, t.createdAt, t.updatedAt],
    );
  }
}
