import type Database from "better-sqlite3";
import { NotAllowedError } from "../domain/errors";
import type { Store } from "../store/store";

/**
 * The server's own tables (API tokens, approvals, exemptions, feedback), created beside the store's tables.
 * Plain portable SQL (TEXT/INTEGER, no JSON functions, no AUTOINCREMENT) so the same statements run on PostgreSQL.
 */
export const SERVER_TABLES = [
  `CREATE TABLE IF NOT EXISTS server_tokens (
     id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, scope TEXT, hash TEXT NOT NULL UNIQUE,
     created_at TEXT NOT NULL, created_by TEXT NOT NULL, last_used_at TEXT, revoked_at TEXT)`,
  `CREATE TABLE IF NOT EXISTS server_approvals (
     id TEXT PRIMARY KEY, finding_id TEXT NOT NULL, remediation_kind TEXT NOT NULL, state TEXT NOT NULL,
     requested_by TEXT NOT NULL, requested_at TEXT NOT NULL, updated_at TEXT NOT NULL, doc TEXT NOT NULL)`,
  "CREATE INDEX IF NOT EXISTS server_approvals_finding ON server_approvals(finding_id)",
  "CREATE INDEX IF NOT EXISTS server_approvals_state ON server_approvals(state, updated_at)",
  `CREATE TABLE IF NOT EXISTS server_exemptions (
     id TEXT PRIMARY KEY, finding_id TEXT NOT NULL, category TEXT NOT NULL, justification TEXT NOT NULL,
     owner TEXT NOT NULL, expires_on TEXT NOT NULL, created_by TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)`,
  "CREATE INDEX IF NOT EXISTS server_exemptions_finding ON server_exemptions(finding_id)",
  `CREATE TABLE IF NOT EXISTS server_feedback (
     id TEXT PRIMARY KEY, finding_id TEXT NOT NULL, actor TEXT NOT NULL, helpful INTEGER NOT NULL, comment TEXT,
     created_at TEXT NOT NULL)`,
  "CREATE INDEX IF NOT EXISTS server_feedback_finding ON server_feedback(finding_id)",
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
