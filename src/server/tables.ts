import { loadExemptions, saveExemptions } from "../compliance/persist";
import { applyStoredExemptions } from "../compliance/context";
import { createExemption, type Exemption, ExemptionSchema } from "../compliance/exemptions";
import type { Store } from "../store/store";

/**
 * The server's own tables (API tokens, Sentinel incidents), as `migrateFeature("server", …)` migrations in the
 * portable SQL subset (docs/scale-out.md), so they exist on SQLite and PostgreSQL alike. Append, never edit.
 * Approvals live in the workflow engine's tables, exemptions in compliance's, feedback in src/ai's.
 */
export const SERVER_MIGRATIONS = [
  // 1: the layout SQLite databases already had (`IF NOT EXISTS` adopts them).
  `CREATE TABLE IF NOT EXISTS server_tokens (
     id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, scope TEXT, hash TEXT NOT NULL UNIQUE,
     created_at TEXT NOT NULL, created_by TEXT NOT NULL, last_used_at TEXT, revoked_at TEXT);
   CREATE TABLE IF NOT EXISTS server_incidents (
     idempotency_key TEXT PRIMARY KEY, incident_arm_id TEXT NOT NULL, incident_number INTEGER, incident_url TEXT,
     title TEXT NOT NULL, severity TEXT, status TEXT, created_time_utc TEXT, source TEXT NOT NULL,
     finding_ids TEXT NOT NULL, request_digest TEXT NOT NULL, response_status INTEGER NOT NULL, response TEXT NOT NULL,
     received_at TEXT NOT NULL);
   CREATE TABLE IF NOT EXISTS server_incident_findings (
     finding_id TEXT NOT NULL, idempotency_key TEXT NOT NULL, PRIMARY KEY (finding_id, idempotency_key));
   CREATE TABLE IF NOT EXISTS server_exemptions (
     id TEXT PRIMARY KEY, finding_id TEXT NOT NULL, category TEXT NOT NULL, justification TEXT NOT NULL,
     owner TEXT NOT NULL, expires_on TEXT NOT NULL, created_by TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT);`,
  // 2: exemptions are compliance's (src/compliance); the server's own table goes once its rows are adopted.
  "DROP TABLE IF EXISTS server_exemptions;",
];

const ready = new WeakMap<Store, Promise<void>>();

/** Creates (or upgrades) the server's tables once per store object; retried after a failure. */
export function migrateServerTables(store: Store): Promise<void> {
  let p = ready.get(store);
  if (!p) {
    p = migrate(store);
    p.catch(() => ready.delete(store));
    ready.set(store, p);
  }
  return p;
}

async function migrate(store: Store): Promise<void> {
  await store.migrateFeature("server", SERVER_MIGRATIONS.slice(0, 1));
  const [row] = await store.query<{ n: number }>("SELECT count(*) AS n FROM feature_migrations WHERE feature = ?", ["server"]);
  if (Number(row?.n) < 2) {
    let adopted = 0;
    try {
      adopted = await adoptServerExemptions(store);
    } catch (e) {
      // Another process may have adopted and dropped the table meanwhile.
      const [again] = await store.query<{ n: number }>("SELECT count(*) AS n FROM feature_migrations WHERE feature = ?", ["server"]);
      if (Number(again?.n) < 2) throw e;
    }
    await store.migrateFeature("server", SERVER_MIGRATIONS);
    if (adopted) await applyStoredExemptions(store);
  }
  await loadExemptions(store); // creates compliance's tables, which the data version reads
}

/**
 * Earlier builds kept dashboard exemptions in `server_exemptions`. They are people's decisions: the active ones
 * become compliance exemptions of the finding (same id, owner, justification, expiry, author) before the table goes.
 */
async function adoptServerExemptions(store: Store): Promise<number> {
  const rows = await store.query<Record<string, string | null>>("SELECT * FROM server_exemptions WHERE revoked_at IS NULL");
  if (!rows.length) return 0;
  const existing = new Set((await loadExemptions(store)).map((e) => e.id));
  const adopt: Exemption[] = [];
  for (const r of rows) {
    if (existing.has(r.id as string)) continue;
    const built = createExemption({
      findingId: r.finding_id as string,
      owner: r.owner as string,
      justification: r.justification as string,
      category: r.category as string,
      expiresOn: r.expires_on,
      createdBy: r.created_by as string,
      now: new Date(r.created_at as string),
    });
    adopt.push(ExemptionSchema.parse({ ...built, id: r.id }));
  }
  if (adopt.length) await saveExemptions(store, adopt);
  return adopt.length;
}
