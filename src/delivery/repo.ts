import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";

/**
 * Delivery persistence: the transactional outbox, one row per delivery attempt, and the tickets each finding
 * has in each ticketing sink. The port is async so a PostgreSQL implementation can sit behind it; the SQL
 * below is portable (TEXT/INTEGER columns, `ON CONFLICT ... DO NOTHING|UPDATE`, no SQLite-only functions).
 */
export type OutboxState = "pending" | "delivered" | "dead";

export interface NewOutboxMessage {
  /** Same key = same message: enqueueing it again is a no-op (at-least-once without duplicates). */
  idempotencyKey: string;
  /** Configured sink name (servicenow, jira, teams, slack, sentinel, blob, webhook, or a custom name). */
  sink: string;
  /** What the message is about: finding.ticket, finding.notify, approval.transition, sentinel.rows, policy.draft, audit.export. */
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
  /** Claims up to `limit` due pending messages for `leaseMs` (other workers skip them meanwhile). */
  claimDue(now: string, limit: number, leaseMs: number): Promise<OutboxMessage[]>;
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
}

export const DELIVERY_DDL = [
  `CREATE TABLE IF NOT EXISTS outbox (
     id TEXT PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE, sink TEXT NOT NULL, topic TEXT NOT NULL, finding_id TEXT,
     payload TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_at TEXT NOT NULL,
     locked_until TEXT, last_error TEXT, created_at TEXT NOT NULL, delivered_at TEXT)`,
  `CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt_at)`,
  `CREATE TABLE IF NOT EXISTS deliveries (
     message_id TEXT NOT NULL, attempt INTEGER NOT NULL, time TEXT NOT NULL, ok INTEGER NOT NULL, status_code INTEGER,
     error TEXT, duration_ms INTEGER NOT NULL, PRIMARY KEY (message_id, attempt))`,
  `CREATE TABLE IF NOT EXISTS tickets (
     finding_id TEXT NOT NULL, sink TEXT NOT NULL, external_id TEXT NOT NULL, number TEXT NOT NULL, url TEXT,
     status TEXT NOT NULL, content_hash TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
     PRIMARY KEY (finding_id, sink))`,
];

/** Creates the delivery tables on an SQLite database (idempotent). */
export function migrateDelivery(db: Database.Database): void {
  for (const ddl of DELIVERY_DDL) db.exec(ddl);
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
    attempts: r.attempts as number,
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

/** Inserts outbox rows with a prepared statement; used inside other repos' transactions (same database). */
export function insertOutboxRows(db: Database.Database, messages: NewOutboxMessage[], now: string): number {
  const ins = db.prepare(
    `INSERT INTO outbox (id, idempotency_key, sink, topic, finding_id, payload, state, attempts, next_attempt_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
  );
  let n = 0;
  for (const m of messages)
    n += ins.run(randomUUID(), m.idempotencyKey, m.sink, m.topic, m.findingId ?? null, JSON.stringify(m.payload), now, now).changes;
  return n;
}

export class SqliteDeliveryRepo implements DeliveryRepo {
  constructor(readonly db: Database.Database) {
    migrateDelivery(db);
  }

  async enqueue(messages: NewOutboxMessage[], now: string): Promise<number> {
    return this.db.transaction(() => insertOutboxRows(this.db, messages, now))();
  }

  async claimDue(now: string, limit: number, leaseMs: number): Promise<OutboxMessage[]> {
    const until = new Date(Date.parse(now) + leaseMs).toISOString();
    return this.db.transaction(() => {
      const rows = this.db
        .prepare(
          `SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until <= ?)
           ORDER BY next_attempt_at, created_at LIMIT ?`,
        )
        .all(now, now, limit) as Row[];
      const lock = this.db.prepare("UPDATE outbox SET locked_until = ? WHERE id = ?");
      for (const r of rows) lock.run(until, r.id);
      return rows.map(toMessage);
    })();
  }

  private recordAttempt(a: DeliveryAttempt): void {
    this.db
      .prepare(
        `INSERT INTO deliveries (message_id, attempt, time, ok, status_code, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (message_id, attempt) DO NOTHING`,
      )
      .run(a.messageId, a.attempt, a.time, a.ok ? 1 : 0, a.statusCode, a.error, Math.round(a.durationMs));
  }

  async markDelivered(id: string, attempt: DeliveryAttempt): Promise<void> {
    this.db.transaction(() => {
      this.recordAttempt(attempt);
      this.db
        .prepare(
          "UPDATE outbox SET state = 'delivered', attempts = ?, delivered_at = ?, locked_until = NULL, last_error = NULL WHERE id = ?",
        )
        .run(attempt.attempt, attempt.time, id);
    })();
  }

  async markFailed(id: string, attempt: DeliveryAttempt, next: { nextAttemptAt: string; dead: boolean }): Promise<void> {
    this.db.transaction(() => {
      this.recordAttempt(attempt);
      this.db
        .prepare("UPDATE outbox SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?, locked_until = NULL WHERE id = ?")
        .run(next.dead ? "dead" : "pending", attempt.attempt, next.nextAttemptAt, attempt.error, id);
    })();
  }

  async requeue(id: string, now: string): Promise<boolean> {
    return (
      this.db
        .prepare(
          "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, locked_until = NULL WHERE id = ? AND state = 'dead'",
        )
        .run(now, id).changes > 0
    );
  }

  async list(filter: { state?: OutboxState; sink?: string; findingId?: string } = {}): Promise<OutboxMessage[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.state) where.push("state = ?"), params.push(filter.state);
    if (filter.sink) where.push("sink = ?"), params.push(filter.sink);
    if (filter.findingId) where.push("finding_id = ?"), params.push(filter.findingId);
    const sql = `SELECT * FROM outbox ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at, id`;
    return (this.db.prepare(sql).all(...params) as Row[]).map(toMessage);
  }

  async attempts(messageId: string): Promise<DeliveryAttempt[]> {
    return (this.db.prepare("SELECT * FROM deliveries WHERE message_id = ? ORDER BY attempt").all(messageId) as Row[]).map((r) => ({
      messageId: r.message_id as string,
      attempt: r.attempt as number,
      time: r.time as string,
      ok: r.ok === 1,
      statusCode: (r.status_code as number | null) ?? null,
      error: (r.error as string | null) ?? null,
      durationMs: r.duration_ms as number,
    }));
  }

  async getTicket(findingId: string, sink: string): Promise<TicketRecord | undefined> {
    const r = this.db.prepare("SELECT * FROM tickets WHERE finding_id = ? AND sink = ?").get(findingId, sink) as Row | undefined;
    return r ? toTicket(r) : undefined;
  }

  async ticketsFor(findingId: string): Promise<TicketRecord[]> {
    return (this.db.prepare("SELECT * FROM tickets WHERE finding_id = ? ORDER BY sink").all(findingId) as Row[]).map(toTicket);
  }

  async listTickets(): Promise<TicketRecord[]> {
    return (this.db.prepare("SELECT * FROM tickets ORDER BY finding_id, sink").all() as Row[]).map(toTicket);
  }

  async upsertTicket(t: TicketRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO tickets (finding_id, sink, external_id, number, url, status, content_hash, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (finding_id, sink) DO UPDATE SET external_id = excluded.external_id, number = excluded.number,
           url = excluded.url, status = excluded.status, content_hash = excluded.content_hash, updated_at = excluded.updated_at`,
      )
      .run(t.findingId, t.sink, t.externalId, t.number, t.url, t.status, t.contentHash, t.createdAt, t.updatedAt);
  }
}
