import type { Assessment } from "../domain/records";
import type { SqliteStore } from "../store/sqlite-store";
import type { Store } from "../store/store";
import type { Exemption } from "./exemptions";

/**
 * Compliance's own tables. Only Unhealthy assessments become findings, but a control passes on Healthy
 * ones, so the pipeline hands every assessment to `recordAssessments`. SQLite gets real tables (portable
 * SQL, created on first use); other stores fall back to a meta key.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS compliance_assessments (
  id TEXT PRIMARY KEY, assessment_key TEXT NOT NULL, resource_id TEXT NOT NULL, status TEXT NOT NULL,
  policy_definition_id TEXT, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS compliance_exemptions (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS compliance_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);`;

const META_ASSESSMENTS = "compliance.assessments";
const META_EXEMPTIONS = "compliance.exemptions";

function sqlite(store: Store): SqliteStore["db"] | undefined {
  if (store.kind !== "sqlite") return undefined;
  const db = (store as SqliteStore).db;
  db.exec(SCHEMA);
  return db;
}

/** Persists every assessment (Healthy, Unhealthy, NotApplicable) of a run, replacing the previous run's. */
export async function recordAssessments(store: Store, assessments: Assessment[]): Promise<void> {
  const db = sqlite(store);
  if (!db) return store.setMeta(META_ASSESSMENTS, JSON.stringify(assessments));
  const ins = db.prepare(
    "INSERT OR REPLACE INTO compliance_assessments (id, assessment_key, resource_id, status, policy_definition_id, doc) VALUES (?, ?, ?, ?, ?, ?)",
  );
  db.transaction(() => {
    db.exec("DELETE FROM compliance_assessments");
    for (const a of assessments)
      ins.run(
        a.id.toLowerCase(),
        a.assessmentKey.toLowerCase(),
        a.resourceId.toLowerCase(),
        a.status,
        a.policyDefinitionId ?? null,
        JSON.stringify(a),
      );
    db.prepare("INSERT OR REPLACE INTO compliance_state (key, value) VALUES ('assessmentsRecordedAt', ?)").run(new Date().toISOString());
  })();
}

/** Every recorded assessment, or undefined when the run that filled the store did not record them. */
export async function loadAssessments(store: Store): Promise<Assessment[] | undefined> {
  const db = sqlite(store);
  if (!db) {
    const raw = await store.getMeta(META_ASSESSMENTS);
    return raw ? (JSON.parse(raw) as Assessment[]) : undefined;
  }
  const recorded = db.prepare("SELECT value FROM compliance_state WHERE key = 'assessmentsRecordedAt'").pluck().get();
  if (!recorded) return undefined;
  return (db.prepare("SELECT doc FROM compliance_assessments ORDER BY id").pluck().all() as string[]).map((d) => JSON.parse(d));
}

export async function loadExemptions(store: Store): Promise<Exemption[]> {
  const db = sqlite(store);
  if (!db) {
    const raw = await store.getMeta(META_EXEMPTIONS);
    return raw ? (JSON.parse(raw) as Exemption[]) : [];
  }
  return (db.prepare("SELECT doc FROM compliance_exemptions ORDER BY created_at, id").pluck().all() as string[]).map((d) => JSON.parse(d));
}

/** Inserts or replaces exemptions by id. */
export async function saveExemptions(store: Store, exemptions: Exemption[]): Promise<void> {
  const db = sqlite(store);
  if (!db) {
    const byId = new Map((await loadExemptions(store)).map((e) => [e.id, e]));
    for (const e of exemptions) byId.set(e.id, e);
    return store.setMeta(META_EXEMPTIONS, JSON.stringify([...byId.values()]));
  }
  const ins = db.prepare("INSERT OR REPLACE INTO compliance_exemptions (id, created_at, doc) VALUES (?, ?, ?)");
  db.transaction(() => {
    for (const e of exemptions) ins.run(e.id, e.createdAt, JSON.stringify(e));
  })();
}

export async function deleteExemption(store: Store, id: string): Promise<boolean> {
  const db = sqlite(store);
  if (!db) {
    const list = await loadExemptions(store);
    const kept = list.filter((e) => e.id !== id);
    await store.setMeta(META_EXEMPTIONS, JSON.stringify(kept));
    return kept.length !== list.length;
  }
  return db.prepare("DELETE FROM compliance_exemptions WHERE id = ?").run(id).changes > 0;
}
