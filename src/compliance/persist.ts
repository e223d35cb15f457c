import type { Assessment } from "../domain/records";
import type { SqlParam, Store } from "../store/store";
import type { Exemption } from "./exemptions";

/**
 * Compliance's own tables. Only Unhealthy assessments become findings, but a control passes on Healthy
 * ones, so the pipeline hands every assessment to `recordAssessments`. The tables are created through the
 * Store port (`migrateFeature("compliance", …)`) and read and written with its portable SQL, so the same code
 * runs on SQLite and PostgreSQL.
 */
export const COMPLIANCE_MIGRATIONS = [
  // The layout SQLite databases already had (created on first use before feature migrations): `IF NOT EXISTS`
  // adopts them as they are.
  `CREATE TABLE IF NOT EXISTS compliance_assessments (
     id TEXT PRIMARY KEY, assessment_key TEXT NOT NULL, resource_id TEXT NOT NULL, status TEXT NOT NULL,
     policy_definition_id TEXT, doc TEXT NOT NULL);
   CREATE TABLE IF NOT EXISTS compliance_exemptions (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, doc TEXT NOT NULL);
   CREATE TABLE IF NOT EXISTS compliance_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];

/** Where earlier builds kept assessments and exemptions on stores other than SQLite (JSON in the meta table). */
const META_ASSESSMENTS = "compliance.assessments";
const META_EXEMPTIONS = "compliance.exemptions";
const RECORDED_AT = "assessmentsRecordedAt";
const EXEMPTIONS_ADOPTED = "exemptionsAdoptedFromMeta";
/** Rows per INSERT (6 parameters each). */
const CHUNK = 500;

const ready = new WeakMap<Store, Promise<void>>();

/** Creates the tables once per store object (and adopts what an earlier build left in meta); retried after a failure. */
function prepare(store: Store): Promise<void> {
  let p = ready.get(store);
  if (!p) {
    p = (async () => {
      await store.migrateFeature("compliance", COMPLIANCE_MIGRATIONS);
      await adoptLegacyMeta(store);
    })();
    p.catch(() => ready.delete(store));
    ready.set(store, p);
  }
  return p;
}

/**
 * Earlier builds stored a PostgreSQL store's assessments and exemptions as JSON under meta keys. Exemptions
 * are people's decisions: copy them into the table once (a marker keeps deleted ones from coming back);
 * assessments only while no run has recorded any in the table.
 */
async function adoptLegacyMeta(store: Store): Promise<void> {
  const [exemptions, assessments] = await Promise.all([store.getMeta(META_EXEMPTIONS), store.getMeta(META_ASSESSMENTS)]);
  if (!exemptions && !assessments) return;
  const state = await stateValues(store);
  if (exemptions && !state.has(EXEMPTIONS_ADOPTED))
    await store.transaction(async (tx) => {
      for (const e of JSON.parse(exemptions) as Exemption[])
        await tx.exec("INSERT INTO compliance_exemptions (id, created_at, doc) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING", [
          e.id,
          e.createdAt,
          JSON.stringify(e),
        ]);
      await setState(tx, EXEMPTIONS_ADOPTED, new Date().toISOString());
    });
  if (assessments && !state.has(RECORDED_AT)) await writeAssessments(store, JSON.parse(assessments) as Assessment[]);
}

async function stateValues(store: Pick<Store, "query">): Promise<Map<string, string>> {
  const rows = await store.query<{ key: string; value: string }>("SELECT key, value FROM compliance_state");
  return new Map(rows.map((r) => [r.key, r.value]));
}

function setState(tx: Pick<Store, "exec">, key: string, value: string): Promise<{ changes: number }> {
  return tx.exec("INSERT INTO compliance_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [
    key,
    value,
  ]);
}

/** One transaction: the previous run's assessments go, these come (ids lower-cased; the last of a duplicate id wins). */
async function writeAssessments(store: Store, assessments: Assessment[]): Promise<void> {
  const byId = new Map(assessments.map((a) => [a.id.toLowerCase(), a]));
  const rows = [...byId.entries()];
  await store.transaction(async (tx) => {
    await tx.exec("DELETE FROM compliance_assessments");
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      const params: SqlParam[] = chunk.flatMap(([id, a]) => [
        id,
        a.assessmentKey.toLowerCase(),
        a.resourceId.toLowerCase(),
        a.status,
        a.policyDefinitionId ?? null,
        JSON.stringify(a),
      ]);
      await tx.exec(
        `INSERT INTO compliance_assessments (id, assessment_key, resource_id, status, policy_definition_id, doc) VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?)").join(", ")}`,
        params,
      );
    }
    await setState(tx, RECORDED_AT, new Date().toISOString());
  });
}

/** Persists every assessment (Healthy, Unhealthy, NotApplicable) of a run, replacing the previous run's. */
export async function recordAssessments(store: Store, assessments: Assessment[]): Promise<void> {
  await prepare(store);
  await writeAssessments(store, assessments);
}

/** Every recorded assessment, or undefined when the run that filled the store did not record them. */
export async function loadAssessments(store: Store): Promise<Assessment[] | undefined> {
  await prepare(store);
  const [recorded] = await store.query<{ value: string }>("SELECT value FROM compliance_state WHERE key = ?", [RECORDED_AT]);
  if (!recorded) return undefined;
  const rows = await store.query<{ id: string; doc: string }>("SELECT id, doc FROM compliance_assessments");
  // Sorted here, by code unit, so the order does not depend on the PostgreSQL database's collation.
  return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((r) => JSON.parse(r.doc));
}

export async function loadExemptions(store: Store): Promise<Exemption[]> {
  await prepare(store);
  const rows = await store.query<{ doc: string }>("SELECT doc FROM compliance_exemptions ORDER BY created_at, id");
  return rows.map((r) => JSON.parse(r.doc));
}

/** Inserts or replaces exemptions by id (one transaction). */
export async function saveExemptions(store: Store, exemptions: Exemption[]): Promise<void> {
  await prepare(store);
  const byId = new Map(exemptions.map((e) => [e.id, e]));
  await store.transaction(async (tx) => {
    for (const e of byId.values())
      await tx.exec(
        "INSERT INTO compliance_exemptions (id, created_at, doc) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at, doc = excluded.doc",
        [e.id, e.createdAt, JSON.stringify(e)],
      );
  });
}

export async function deleteExemption(store: Store, id: string): Promise<boolean> {
  await prepare(store);
  return (await store.exec("DELETE FROM compliance_exemptions WHERE id = ?", [id])).changes > 0;
}
