import pg from "pg";
import type { Finding } from "../domain/finding";
import type { ActivityEvent, Alert } from "../domain/records";
import type { ArmResource } from "../domain/resource";
import { chainEvents, GENESIS_HASH } from "./audit-chain";
import { parsePgTarget, toPgDdl, toPgPlaceholders } from "./postgres-sql";
import { type AuditEvent, type FindingFilter, keyRange, type RawRowRecord, type RawUpsertCounts, type RunRecord, type SqlParam, type SqlRunner, type Store } from "./store";

/** Core tables: the same layout as the SQLite store (docs as JSON text), with PostgreSQL types. */
const CORE_MIGRATIONS: string[] = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, source TEXT NOT NULL, summary TEXT);
   CREATE TABLE IF NOT EXISTS resources (id TEXT PRIMARY KEY, type TEXT NOT NULL, subscription_id TEXT, doc TEXT NOT NULL);
   CREATE TABLE IF NOT EXISTS findings (
     id TEXT PRIMARY KEY, resource_id TEXT NOT NULL, subscription_id TEXT, severity TEXT NOT NULL, status TEXT NOT NULL,
     risk_score DOUBLE PRECISION NOT NULL, owner_name TEXT, owner_email TEXT, recommendation_name TEXT, resource_name TEXT, doc TEXT NOT NULL);
   CREATE INDEX IF NOT EXISTS findings_risk ON findings(risk_score DESC, id);
   CREATE TABLE IF NOT EXISTS finding_frameworks (finding_id TEXT NOT NULL, framework TEXT NOT NULL, PRIMARY KEY (finding_id, framework));
   CREATE INDEX IF NOT EXISTS finding_frameworks_fw ON finding_frameworks(framework);
   CREATE TABLE IF NOT EXISTS activity (event_id TEXT PRIMARY KEY, time TEXT NOT NULL, doc TEXT NOT NULL);
   CREATE TABLE IF NOT EXISTS alerts (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
   CREATE TABLE IF NOT EXISTS audit (seq BIGINT PRIMARY KEY, time TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
     subject TEXT NOT NULL, digest TEXT NOT NULL, details TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);`,
  `CREATE TABLE IF NOT EXISTS raw_rows (tbl TEXT NOT NULL, id TEXT NOT NULL, hash TEXT NOT NULL, gen INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (tbl, id));`,
  // The same filtered-page and audit look-up indexes as SQLite.
  `CREATE INDEX IF NOT EXISTS findings_sev_risk ON findings(severity, risk_score DESC);
   CREATE INDEX IF NOT EXISTS findings_sub_risk ON findings(subscription_id, risk_score DESC);
   CREATE INDEX IF NOT EXISTS findings_owner_email_risk ON findings(owner_email, risk_score DESC);
   CREATE INDEX IF NOT EXISTS findings_owner_name_risk ON findings(owner_name, risk_score DESC);
   CREATE INDEX IF NOT EXISTS finding_frameworks_fw_id ON finding_frameworks(framework, finding_id);
   CREATE INDEX IF NOT EXISTS audit_subject ON audit(subject);`,
];

/** int8 and numeric come back as JS numbers (counts, sequence numbers), as they do from SQLite. */
const TYPES = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as "text");
  }) as typeof pg.types.getTypeParser,
};

const CHUNK = 2000;
type Queryable = pg.Pool | pg.PoolClient;

/** A runner bound to one connection (inside `transaction`) or the pool. */
class PgRunner implements SqlRunner {
  constructor(readonly conn: Queryable) {}
  async query<T = Record<string, unknown>>(sql: string, params: SqlParam[] = []): Promise<T[]> {
    return (await this.conn.query(toPgPlaceholders(sql), pgParams(params))).rows as T[];
  }
  async exec(sql: string, params: SqlParam[] = []): Promise<{ changes: number }> {
    const r = await this.conn.query(params.length ? toPgPlaceholders(sql) : sql, params.length ? pgParams(params) : undefined);
    const last = Array.isArray(r) ? r[r.length - 1] : r;
    return { changes: last?.rowCount ?? 0 };
  }
}

/** The portable subset stores booleans as 0/1 integers on both stores. */
const pgParams = (params: SqlParam[]) => params.map((p) => (p === undefined ? null : typeof p === "boolean" ? (p ? 1 : 0) : typeof p === "bigint" ? p.toString() : p));

/** The server-mode store: PostgreSQL through a connection pool; several processes may share one database. */
export class PostgresStore implements Store {
  readonly kind = "postgres" as const;
  readonly pool: pg.Pool;
  readonly schema: string;
  private readonly runner: PgRunner;

  constructor(url: string, opts: { max?: number } = {}) {
    const target = parsePgTarget(url);
    this.schema = target.schema;
    this.pool = new pg.Pool({
      connectionString: target.connectionString,
      max: opts.max ?? 6,
      options: `-c search_path=${target.schema}`,
      types: TYPES,
      application_name: "clarion",
    });
    // An idle client that loses its server (restart, kill) must not crash the process.
    this.pool.on("error", () => {});
    this.runner = new PgRunner(this.pool);
  }

  /** A lock key per schema and purpose, so two Clarion schemas in one database never block each other. */
  private lockSql(purpose: string): string {
    return `SELECT pg_advisory_xact_lock(hashtext('clarion:${this.schema}:${purpose}'))`;
  }

  async migrate(): Promise<void> {
    await this.pool.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`).catch(async (e) => {
      // Two processes creating the schema at once: the loser sees a unique violation; the schema exists.
      if ((e as { code?: string }).code !== "23505") throw e;
    });
    await this.tx(async (c) => {
      await c.query(this.lockSql("migrate"));
      await c.query("CREATE TABLE IF NOT EXISTS feature_migrations (feature TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (feature, version))");
    });
    await this.applyFeature("clarion.core", CORE_MIGRATIONS, (s) => s);
  }

  async migrateFeature(name: string, statements: string[]): Promise<void> {
    await this.applyFeature(name, statements, toPgDdl);
  }

  private async applyFeature(name: string, statements: string[], translate: (s: string) => string): Promise<void> {
    await this.tx(async (c) => {
      await c.query(this.lockSql("migrate"));
      const { rows } = await c.query("SELECT count(*)::int AS n FROM feature_migrations WHERE feature = $1", [name]);
      for (let v = rows[0].n as number; v < statements.length; v++) {
        for (const stmt of splitStatements(statements[v])) await c.query(translate(stmt));
        await c.query("INSERT INTO feature_migrations (feature, version, applied_at) VALUES ($1, $2, $3)", [name, v + 1, new Date().toISOString()]);
      }
    });
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query("BEGIN");
      const out = await fn(c);
      await c.query("COMMIT");
      return out;
    } catch (e) {
      await c.query("ROLLBACK").catch(() => {});
      throw e;
    } finally {
      c.release();
    }
  }

  async query<T = Record<string, unknown>>(sql: string, params?: SqlParam[]): Promise<T[]> {
    return this.runner.query<T>(sql, params);
  }

  async exec(sql: string, params?: SqlParam[]): Promise<{ changes: number }> {
    return this.runner.exec(sql, params);
  }

  async transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return this.tx((c) => fn(new PgRunner(c)));
  }

  async saveRun(run: RunRecord): Promise<void> {
    await this.pool.query(
      "INSERT INTO runs (id, started_at, finished_at, source, summary) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET finished_at = excluded.finished_at, summary = excluded.summary",
      [run.id, run.startedAt, run.finishedAt ?? null, run.source, run.summary ? JSON.stringify(run.summary) : null],
    );
  }

  async listRuns(): Promise<RunRecord[]> {
    const { rows } = await this.pool.query("SELECT * FROM runs ORDER BY started_at");
    return rows.map((r) => ({ id: r.id, startedAt: r.started_at, finishedAt: r.finished_at ?? undefined, source: r.source, summary: r.summary ? JSON.parse(r.summary) : undefined }));
  }

  /** Bulk insert through `unnest` of one array per column, a chunk at a time. */
  private async bulk(c: Queryable, sql: string, columns: unknown[][]): Promise<void> {
    const n = columns[0]?.length ?? 0;
    for (let i = 0; i < n; i += CHUNK) await c.query(sql, columns.map((col) => col.slice(i, i + CHUNK)));
  }

  async replaceResources(resources: ArmResource[]): Promise<void> {
    await this.tx(async (c) => {
      await c.query("DELETE FROM resources");
      const seen = new Map<string, ArmResource>();
      for (const r of resources) seen.set(r.id.toLowerCase(), r); // INSERT OR REPLACE semantics: the last wins
      const list = [...seen.entries()];
      await this.bulk(c, "INSERT INTO resources (id, type, subscription_id, doc) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])", [
        list.map(([id]) => id),
        list.map(([, r]) => r.type.toLowerCase()),
        list.map(([, r]) => r.subscriptionId ?? null),
        list.map(([, r]) => JSON.stringify(r)),
      ]);
    });
  }

  async listResources(): Promise<ArmResource[]> {
    return (await this.pool.query("SELECT doc FROM resources")).rows.map((r) => JSON.parse(r.doc));
  }

  private async writeFindings(c: Queryable, findings: Finding[], upsert: boolean): Promise<void> {
    const byId = new Map<string, Finding>();
    for (const f of findings) byId.set(f.id, f);
    const list = [...byId.values()];
    const conflict = upsert
      ? " ON CONFLICT (id) DO UPDATE SET resource_id = excluded.resource_id, subscription_id = excluded.subscription_id, severity = excluded.severity, status = excluded.status, risk_score = excluded.risk_score, owner_name = excluded.owner_name, owner_email = excluded.owner_email, recommendation_name = excluded.recommendation_name, resource_name = excluded.resource_name, doc = excluded.doc"
      : "";
    if (upsert) await this.bulk(c, "DELETE FROM finding_frameworks WHERE finding_id = ANY($1::text[])", [list.map((f) => f.id)]);
    await this.bulk(
      c,
      `INSERT INTO findings (id, resource_id, subscription_id, severity, status, risk_score, owner_name, owner_email, recommendation_name, resource_name, doc)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])${conflict}`,
      [
        list.map((f) => f.id),
        list.map((f) => f.resourceId),
        list.map((f) => f.subscriptionId),
        list.map((f) => f.recommendation.severity),
        list.map((f) => f.status),
        list.map((f) => f.risk.score),
        list.map((f) => f.owner.name),
        list.map((f) => f.owner.email),
        list.map((f) => f.recommendation.name),
        list.map((f) => f.resourceName),
        list.map((f) => JSON.stringify(f)),
      ],
    );
    const pairs = list.flatMap((f) => [...new Set(f.controls.map((x) => x.framework))].map((fw) => [f.id, fw]));
    await this.bulk(c, "INSERT INTO finding_frameworks (finding_id, framework) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING", [pairs.map((p) => p[0]), pairs.map((p) => p[1])]);
  }

  async replaceFindings(findings: Finding[]): Promise<void> {
    await this.tx(async (c) => {
      await c.query("DELETE FROM findings");
      await c.query("DELETE FROM finding_frameworks");
      await this.writeFindings(c, findings, false);
    });
  }

  async upsertFindings(findings: Finding[], tx?: SqlRunner): Promise<void> {
    if (tx instanceof PgRunner) return this.writeFindings(tx.conn, findings, true);
    await this.tx((c) => this.writeFindings(c, findings, true));
  }

  private where(filter: FindingFilter = {}): { sql: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (filter.severity) clauses.push(`lower(severity) = lower(${p(filter.severity)})`);
    if (filter.status) clauses.push(`lower(status) = lower(${p(filter.status)})`);
    if (filter.subscriptionId) clauses.push(`lower(subscription_id) = lower(${p(filter.subscriptionId)})`);
    if (filter.owner) {
      const o = p(`%${filter.owner}%`);
      clauses.push(`(lower(owner_name) LIKE lower(${o}) OR lower(owner_email) LIKE lower(${o}))`);
    }
    if (filter.framework) clauses.push(`id IN (SELECT finding_id FROM finding_frameworks WHERE lower(framework) = lower(${p(filter.framework)}))`);
    if (filter.search) {
      const s = p(`%${filter.search}%`);
      clauses.push(`(lower(resource_name) LIKE lower(${s}) OR lower(recommendation_name) LIKE lower(${s}))`);
    }
    return { sql: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", params };
  }

  async listFindings(filter: FindingFilter = {}): Promise<Finding[]> {
    const { sql, params } = this.where(filter);
    const page = filter.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(filter.limit))} OFFSET ${Math.max(0, Math.floor(filter.offset ?? 0))}` : "";
    // `COLLATE "C"` orders ids by code point, as SQLite's default BINARY collation does.
    const { rows } = await this.pool.query(`SELECT doc FROM findings ${sql} ORDER BY risk_score DESC, id COLLATE "C"${page}`, params);
    return rows.map((r) => JSON.parse(r.doc));
  }

  async countFindings(filter: FindingFilter = {}): Promise<number> {
    const { sql, params } = this.where(filter);
    return (await this.pool.query(`SELECT count(*) AS n FROM findings ${sql}`, params)).rows[0].n;
  }

  async getFinding(id: string): Promise<Finding | undefined> {
    const { rows } = await this.pool.query("SELECT doc FROM findings WHERE id = $1", [id]);
    return rows[0] ? JSON.parse(rows[0].doc) : undefined;
  }

  async replaceActivity(events: ActivityEvent[]): Promise<void> {
    await this.tx(async (c) => {
      await c.query("DELETE FROM activity");
      const m = new Map(events.map((e) => [e.eventId, e]));
      const list = [...m.values()];
      await this.bulk(c, "INSERT INTO activity (event_id, time, doc) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])", [list.map((e) => e.eventId), list.map((e) => e.time), list.map((e) => JSON.stringify(e))]);
    });
  }

  async listActivity(): Promise<ActivityEvent[]> {
    return (await this.pool.query(`SELECT doc FROM activity ORDER BY time COLLATE "C"`)).rows.map((r) => JSON.parse(r.doc));
  }

  async replaceAlerts(alerts: Alert[]): Promise<void> {
    await this.tx(async (c) => {
      await c.query("DELETE FROM alerts");
      const list = [...new Map(alerts.map((a) => [a.id, a])).values()];
      await this.bulk(c, "INSERT INTO alerts (id, doc) SELECT * FROM unnest($1::text[], $2::text[])", [list.map((a) => a.id), list.map((a) => JSON.stringify(a))]);
    });
  }

  async listAlerts(): Promise<Alert[]> {
    return (await this.pool.query("SELECT doc FROM alerts")).rows.map((r) => JSON.parse(r.doc));
  }

  /**
   * Several writers append safely: a transaction-scoped advisory lock serializes appends, so each one reads
   * the true last link before chaining onto it (the `seq` primary key would reject a lost race anyway).
   */
  async appendAudit(events: Omit<AuditEvent, "seq" | "prevHash" | "hash">[]): Promise<AuditEvent[]> {
    return this.tx(async (c) => {
      await c.query(this.lockSql("audit"));
      const last = (await c.query("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")).rows[0] as { seq: number; hash: string } | undefined;
      const chained = chainEvents(events, last?.seq ?? 0, last?.hash ?? GENESIS_HASH);
      await this.bulk(
        c,
        "INSERT INTO audit (seq, time, actor, action, subject, digest, details, prev_hash, hash) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])",
        [
          chained.map((e) => e.seq),
          chained.map((e) => e.time),
          chained.map((e) => e.actor),
          chained.map((e) => e.action),
          chained.map((e) => e.subject),
          chained.map((e) => e.digest),
          chained.map((e) => JSON.stringify(e.details)),
          chained.map((e) => e.prevHash),
          chained.map((e) => e.hash),
        ],
      );
      return chained;
    });
  }

  async listAudit(): Promise<AuditEvent[]> {
    const { rows } = await this.pool.query("SELECT * FROM audit ORDER BY seq");
    return rows.map((r) => ({
      seq: r.seq,
      time: r.time,
      actor: r.actor,
      action: r.action,
      subject: r.subject,
      digest: r.digest,
      details: JSON.parse(r.details),
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
  }

  async rawUpsert(table: string, rows: RawRowRecord[]): Promise<RawUpsertCounts> {
    const list = [...new Map(rows.map((r) => [r.id.toLowerCase(), r])).entries()];
    const out: RawUpsertCounts = { added: 0, changed: 0, unchanged: 0 };
    // One statement per chunk compares with the stored hashes and writes only what differs (a new row, another
    // hash, or an older generation), then counts the three outcomes from the same snapshot. (PostgreSQL runs a
    // data-modifying WITH to completion whether or not the main query reads it.)
    const sql = `WITH input AS (SELECT * FROM unnest($2::text[], $3::text[], $4::int[], $5::text[]) AS t(id, hash, gen, doc)),
      prev AS (SELECT r.id, r.hash, r.gen FROM raw_rows r JOIN input i ON r.tbl = $1 AND r.id = i.id),
      written AS (
        INSERT INTO raw_rows (tbl, id, hash, gen, doc)
        SELECT $1, i.id, i.hash, i.gen, i.doc FROM input i LEFT JOIN prev p ON p.id = i.id
        WHERE p.id IS NULL OR p.hash <> i.hash OR p.gen < i.gen
        ON CONFLICT (tbl, id) DO UPDATE SET hash = excluded.hash, gen = excluded.gen,
          doc = CASE WHEN raw_rows.hash = excluded.hash THEN raw_rows.doc ELSE excluded.doc END)
      SELECT count(*) FILTER (WHERE p.id IS NULL) AS added, count(*) FILTER (WHERE p.hash <> i.hash) AS changed,
        count(*) FILTER (WHERE p.hash = i.hash) AS unchanged
      FROM input i LEFT JOIN prev p ON p.id = i.id`;
    await this.tx(async (c) => {
      for (let i = 0; i < list.length; i += CHUNK) {
        const part = list.slice(i, i + CHUNK);
        const { rows: counts } = await c.query(sql, [table, part.map(([id]) => id), part.map(([, r]) => r.hash), part.map(([, r]) => r.gen), part.map(([, r]) => JSON.stringify(r.doc))]);
        out.added += Number(counts[0].added);
        out.changed += Number(counts[0].changed);
        out.unchanged += Number(counts[0].unchanged);
      }
    });
    return out;
  }

  async rawGet(table: string, ids: string[]): Promise<Map<string, RawRowRecord>> {
    const out = new Map<string, RawRowRecord>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const { rows } = await this.pool.query("SELECT id, hash, gen, doc FROM raw_rows WHERE tbl = $1 AND id = ANY($2::text[])", [table, ids.slice(i, i + CHUNK).map((x) => x.toLowerCase())]);
      for (const r of rows) out.set(r.id, { id: r.id, hash: r.hash, gen: r.gen, doc: JSON.parse(r.doc) });
    }
    return out;
  }

  async rawDelete(table: string, ids: string[]): Promise<number> {
    return this.tx(async (c) => {
      let n = 0;
      for (let i = 0; i < ids.length; i += CHUNK)
        n += (await c.query("DELETE FROM raw_rows WHERE tbl = $1 AND id = ANY($2::text[])", [table, ids.slice(i, i + CHUNK).map((x) => x.toLowerCase())])).rowCount ?? 0;
      return n;
    });
  }

  async rawList(table: string, opts: { beforeGen?: number } = {}): Promise<RawRowRecord[]> {
    const { rows } =
      opts.beforeGen === undefined
        ? await this.pool.query(`SELECT id, hash, gen, doc FROM raw_rows WHERE tbl = $1 ORDER BY id COLLATE "C"`, [table])
        : await this.pool.query(`SELECT id, hash, gen, doc FROM raw_rows WHERE tbl = $1 AND gen < $2 ORDER BY id COLLATE "C"`, [table, opts.beforeGen]);
    return rows.map((r) => ({ id: r.id, hash: r.hash, gen: r.gen, doc: JSON.parse(r.doc) }));
  }

  async rawIds(table: string, opts: { prefix?: string } = {}): Promise<string[]> {
    const range = keyRange(opts.prefix);
    if (!range) return (await this.pool.query(`SELECT id FROM raw_rows WHERE tbl = $1 ORDER BY id COLLATE "C"`, [table])).rows.map((r) => r.id);
    // Text compares by the database collation; the range is taken in byte order ("C"), as SQLite compares.
    const { rows } = await this.pool.query(`SELECT id FROM raw_rows WHERE tbl = $1 AND id COLLATE "C" >= $2 AND id COLLATE "C" < $3 ORDER BY id COLLATE "C"`, [table, range.lo, range.hi]);
    return rows.map((r) => r.id as string).filter((id) => id.startsWith(range.lo));
  }

  async rawSweep(table: string, beforeGen: number): Promise<number> {
    return (await this.pool.query("DELETE FROM raw_rows WHERE tbl = $1 AND gen < $2", [table, beforeGen])).rowCount ?? 0;
  }

  async getMeta(key: string): Promise<string | undefined> {
    return (await this.pool.query("SELECT value FROM meta WHERE key = $1", [key])).rows[0]?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.pool.query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Splits a migration on `;` at the end of a line (statements in the portable subset hold no such text in literals). */
function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\r?\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** `openStore("postgres://…")` lands here: connect, create the schema if needed, migrate. */
export async function openPostgresStore(url: string): Promise<Store> {
  const store = new PostgresStore(url);
  try {
    await store.migrate();
  } catch (e) {
    await store.close().catch(() => {});
    throw e;
  }
  return store;
}
