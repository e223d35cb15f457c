import type Database from "better-sqlite3";
import { NotAllowedError } from "../domain/errors";
import type { Store } from "../store/store";

/**
 * The server's own tables (API tokens, exemptions, feedback, Sentinel incidents; approvals live in the
 * workflow engine's `approvals` table), created beside the store's tables.
 * Plain portable SQL (TEXT/INTEGER, no JSON functions, no AUTOINCREMENT) so the same statements run on PostgreSQL.
 */
export const SERVER_TABLES = [
  `CREATE TABLE IF NOT EXISTS server_tokens (
     id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, scope TEXT, hash TEXT NOT NULL UNIQUE,
     created_at TEXT NOT NULL, created_by TEXT NOT NULL, last_used_at TEXT, revoked_at TEXT)`,
  // Sentinel incidents posted by the playbook, keyed by the Idempotency-Key (the incident's ARM id); the stored
  // response is what a replay returns.
  `CREATE TABLE IF NOT EXISTS server_incidents (
     idempotency_key TEXT PRIMARY KEY, incident_arm_id TEXT NOT NULL, incident_number INTEGER, incident_url TEXT,
     title TEXT NOT NULL, severity TEXT, status TEXT, created_time_utc TEXT, source TEXT NOT NULL,
     finding_ids TEXT NOT NULL, request_digest TEXT NOT NULL, response_status INTEGER NOT NULL, response TEXT NOT NULL,
     received_at TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS server_incident_findings (
     finding_id TEXT NOT NULL, idempotency_key TEXT NOT NULL, PRIMARY KEY (finding_id, idempotency_key))`,
  `CREATE TABLE IF NOT EXISTS server_exemptions (
     id TEXT PRIMARY KEY, finding_id TEXT NOT NULL, category TEXT NOT NULL, justification TEXT NOT NULL,
     owner TEXT NOT NULL, expires_on TEXT NOT NULL, created_by TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)`,
  "CREATE INDEX IF NOT EXISTS server_exemptions_finding ON server_exemptions(finding_id)",
];

/** The SQLite handle behind a store (the server's tables live in the same database file). */
export function sqliteOf(store: Store): Database.Database {
  const db = (store as unknown as { db?: Database.Database }).db;
  if (store.kind !== "sqlite" || !db)
    throw new NotAllowedError("the server needs the SQLite store for now", {
      hint: "PostgreSQL support for the server tables comes with the PostgreSQL store",
    });
  return db;
}

export function migrateServerTables(db: Database.Database): void {
  db.transaction(() => {
    for (const sql of SERVER_TABLES) db.exec(sql);
  })();
}
