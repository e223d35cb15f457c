import type { ArmResource } from "../domain/resource";
import type { Finding } from "../domain/finding";
import type { ActivityEvent, Alert } from "../domain/records";

/** One audit event; `hash` chains it to the previous one (see src/store/audit-chain.ts). */
export interface AuditEvent {
  seq: number;
  time: string;
  actor: string;
  action: string;
  subject: string;
  /** SHA-256 of the output or payload the event is about (never the payload itself when it is large). */
  digest: string;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface FindingFilter {
  severity?: string;
  framework?: string;
  owner?: string;
  status?: string;
  subscriptionId?: string;
  search?: string;
  limit?: number;
  offset?: number;
}

/** A raw source row kept between syncs (keyed by table + lower-cased id), with its content hash and generation. */
export interface RawRowRecord {
  id: string;
  hash: string;
  gen: number;
  doc: Record<string, unknown>;
}

/** What one `rawUpsert` did, per distinct id: stored new, rewritten with another hash, or kept (same hash). */
export interface RawUpsertCounts {
  added: number;
  changed: number;
  unchanged: number;
}

export interface RunRecord {
  id: string;
  startedAt: string;
  finishedAt?: string;
  source: string;
  summary?: unknown;
}

/** A positional SQL parameter in the portable subset (see docs/scale-out.md). */
export type SqlParam = string | number | bigint | boolean | null | undefined;

/**
 * Runs portable SQL: `?` placeholders (translated to `$1..$n` on PostgreSQL), the subset documented in
 * docs/scale-out.md. `query` returns rows with the column names as written (alias them in lower case);
 * integer columns come back as JS numbers on both stores.
 */
export interface SqlRunner {
  query<T = Record<string, unknown>>(sql: string, params?: SqlParam[]): Promise<T[]>;
  exec(sql: string, params?: SqlParam[]): Promise<{ changes: number }>;
}

/**
 * The persistence port. SQLite (embedded default) and PostgreSQL (server mode) implement it;
 * pipeline stages never touch a database directly.
 */
export interface Store {
  readonly kind: "sqlite" | "postgres";
  migrate(): Promise<void>;
  saveRun(run: RunRecord): Promise<void>;
  listRuns(): Promise<RunRecord[]>;
  replaceResources(resources: ArmResource[]): Promise<void>;
  listResources(): Promise<ArmResource[]>;
  replaceFindings(findings: Finding[]): Promise<void>;
  listFindings(filter?: FindingFilter): Promise<Finding[]>;
  getFinding(id: string): Promise<Finding | undefined>;
  countFindings(filter?: FindingFilter): Promise<number>;
  replaceActivity(events: ActivityEvent[]): Promise<void>;
  listActivity(): Promise<ActivityEvent[]>;
  replaceAlerts(alerts: Alert[]): Promise<void>;
  listAlerts(): Promise<Alert[]>;
  appendAudit(events: Omit<AuditEvent, "seq" | "prevHash" | "hash">[]): Promise<AuditEvent[]>;
  listAudit(): Promise<AuditEvent[]>;
  /**
   * Raw rows of a source table (e.g. the Azure sync's `resources`), upserted in one transaction per call and
   * compared with what is stored in the same pass: a row with the stored hash keeps its document (only an older
   * generation is raised), another hash replaces it. Ids are lower-cased; of one id given twice the last wins.
   */
  rawUpsert(table: string, rows: RawRowRecord[]): Promise<RawUpsertCounts>;
  rawGet(table: string, ids: string[]): Promise<Map<string, RawRowRecord>>;
  rawDelete(table: string, ids: string[]): Promise<number>;
  /** Rows sorted by id; `beforeGen` keeps only rows older than that generation (for sweeps). */
  rawList(table: string, opts?: { beforeGen?: number }): Promise<RawRowRecord[]>;
  /** Ids sorted (byte order); with `prefix`, only ids that start with it (lower-cased), read as a key range. */
  rawIds(table: string, opts?: { prefix?: string }): Promise<string[]>;
  /** Deletes the rows whose generation is older than `beforeGen` (what a full pass did not see); returns how many. */
  rawSweep(table: string, beforeGen: number): Promise<number>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  /** Inserts or replaces the given findings only (workers write their batch), optionally inside `transaction`. */
  upsertFindings(findings: Finding[], tx?: SqlRunner): Promise<void>;
  /**
   * A feature's own tables: `statements[i]` is migration i+1 of feature `name`, applied once, in order, and
   * recorded in `feature_migrations` (safe when several processes start at once). Append, never edit.
   */
  migrateFeature(name: string, statements: string[]): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: SqlParam[]): Promise<T[]>;
  exec(sql: string, params?: SqlParam[]): Promise<{ changes: number }>;
  /** Runs `fn` in one transaction (committed when it resolves, rolled back when it throws). Use `tx`, not the store, inside. */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * The key range holding every id that starts with `prefix` (lower-cased): [prefix, prefix with its last character
 * plus one). Code point order is UTF-8 byte order, which is how SQLite (and PostgreSQL under "C") compares text.
 * Undefined for an empty prefix (the whole table).
 */
export function keyRange(prefix: string | undefined): { lo: string; hi: string } | undefined {
  const lo = (prefix ?? "").toLowerCase();
  if (!lo) return undefined;
  const last = lo.codePointAt(lo.length - 1) as number;
  const cut = last > 0xffff ? 2 : 1;
  return { lo, hi: lo.slice(0, -cut) + String.fromCodePoint(last + 1) };
}
