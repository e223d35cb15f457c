import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { ArmResource } from "../domain/resource";
import type { Finding } from "../domain/finding";
import type { ActivityEvent, Alert } from "../domain/records";
import { chainEvents, GENESIS_HASH } from "./audit-chain";
import { type AuditEvent, type FindingFilter, keyRange, type RawRowRecord, type RawUpsertCounts, type RunRecord, type SqlParam, type SqlRunner, type Store } from "./store";

const MIGRATIONS: string[] = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, source TEXT NOT NULL, summary TEXT);
   CREATE TABLE IF NOT EXISTS resources (id TEXT PRIMARY KEY, type TEXT NOT NULL, subscription_id TEXT, doc TEXT NOT NULL);
   CREATE TABLE IF NOT EXISTS findings (
     id TEXT PRIMARY KEY, resource_id TEXT NOT NULL, subscription_id TEXT, severity TEXT NOT NULL, status TEXT NOT NULL,
     risk_score REAL NOT NULL, owner_name TEXT, owner_email TEXT, recommendation_name TEXT, resource_name TEXT, doc TEXT NOT NULL);
   CREATE INDEX IF NOT EXISTS findings_risk ON findings(risk_score DESC);
   CREATE TABLE IF NOT EXISTS finding_frameworks (finding_id TEXT NOT NULL, framework TEXT NOT NULL, PRIMARY KEY (finding_id, framework));
   CREATE INDEX IF NOT EXISTS finding_frameworks_fw ON finding_frameworks(framework);
   CREATE TABLE IF NOT EXISTS activity (event_id TEXT PRIMARY KEY, time TEXT NOT NULL, doc TEXT NOT NULL);
   CREATE TABLE IF NOT EXISTS alerts (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
   CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY, time TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
     subject TEXT NOT NULL, digest TEXT NOT NULL, details TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);`,
  `CREATE TABLE IF NOT EXISTS raw_rows (tbl TEXT NOT NULL, id TEXT NOT NULL, hash TEXT NOT NULL, gen INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (tbl, id));`,
  // Filtered pages stay fast at 1M findings (measured in bench/b5-api.ts).
  `CREATE INDEX IF NOT EXISTS findings_sev_risk ON findings(severity, risk_score DESC);
   CREATE INDEX IF NOT EXISTS findings_sub_risk ON findings(subscription_id, risk_score DESC);
   CREATE INDEX IF NOT EXISTS findings_owner_email_risk ON findings(owner_email, risk_score DESC);
   CREATE INDEX IF NOT EXISTS findings_owner_name_risk ON findings(owner_name, risk_score DESC);
   CREATE INDEX IF NOT EXISTS finding_frameworks_fw_id ON finding_frameworks(framework, finding_id);`,
  `CREATE TABLE IF NOT EXISTS feature_migrations (feature TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (feature, version));`,
  `CREATE INDEX IF NOT EXISTS audit_subject ON audit(subject);`,
];

/** better-sqlite3 binds no booleans or undefined: the portable subset stores booleans as 0/1. */
const bindable = (params: SqlParam[] = []) => params.map((p) => (p === undefined ? null : typeof p === "boolean" ? (p ? 1 : 0) : p));

/** The embedded default store (better-sqlite3, WAL). */
export class SqliteStore implements Store {
  readonly kind = "sqlite" as const;
  readonly db: Database.Database;

  constructor(readonly file: string) {
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
  }

  async migrate(): Promise<void> {
    const current = Number(this.db.pragma("user_version", { simple: true }));
    for (let v = current; v < MIGRATIONS.length; v++) {
      this.db.exec(MIGRATIONS[v]);
      this.db.pragma(`user_version = ${v + 1}`);
    }
  }

  async saveRun(run: RunRecord): Promise<void> {
    this.db
      .prepare(
        "INSERT INTO runs (id, started_at, finished_at, source, summary) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET finished_at=excluded.finished_at, summary=excluded.summary",
      )
      .run(run.id, run.startedAt, run.finishedAt ?? null, run.source, run.summary ? JSON.stringify(run.summary) : null);
  }

  async listRuns(): Promise<RunRecord[]> {
    return (this.db.prepare("SELECT * FROM runs ORDER BY started_at").all() as Record<string, string>[]).map((r) => ({
      id: r.id,
      startedAt: r.started_at,
      finishedAt: r.finished_at ?? undefined,
      source: r.source,
      summary: r.summary ? JSON.parse(r.summary) : undefined,
    }));
  }

  async replaceResources(resources: ArmResource[]): Promise<void> {
    const ins = this.db.prepare("INSERT OR REPLACE INTO resources (id, type, subscription_id, doc) VALUES (?, ?, ?, ?)");
    this.db.transaction(() => {
      this.db.exec("DELETE FROM resources");
      for (const r of resources) ins.run(r.id.toLowerCase(), r.type.toLowerCase(), r.subscriptionId ?? null, JSON.stringify(r));
    })();
  }

  async listResources(): Promise<ArmResource[]> {
    return (this.db.prepare("SELECT doc FROM resources").pluck().all() as string[]).map((d) => JSON.parse(d));
  }

  async upsertFindings(findings: Finding[], _tx?: SqlRunner): Promise<void> {
    const ins = this.db.prepare(
      "INSERT OR REPLACE INTO findings (id, resource_id, subscription_id, severity, status, risk_score, owner_name, owner_email, recommendation_name, resource_name, doc) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
    );
    const delFw = this.db.prepare("DELETE FROM finding_frameworks WHERE finding_id = ?");
    const fw = this.db.prepare("INSERT OR IGNORE INTO finding_frameworks (finding_id, framework) VALUES (?, ?)");
    this.db.transaction(() => {
      for (const f of findings) {
        ins.run(f.id, f.resourceId, f.subscriptionId, f.recommendation.severity, f.status, f.risk.score, f.owner.name, f.owner.email, f.recommendation.name, f.resourceName, JSON.stringify(f));
        delFw.run(f.id);
        for (const framework of new Set(f.controls.map((c) => c.framework))) fw.run(f.id, framework);
      }
    })();
  }

  private readonly runner: SqlRunner = {
    query: async <T>(sql: string, params?: SqlParam[]) => this.db.prepare(sql).all(...bindable(params)) as T[],
    exec: async (sql: string, params?: SqlParam[]) => {
      if (!params?.length && /;\s*\S/.test(sql.trim().replace(/;$/, ""))) {
        this.db.exec(sql);
        return { changes: 0 };
      }
      return { changes: this.db.prepare(sql).run(...bindable(params)).changes };
    },
  };

  private txTail: Promise<unknown> = Promise.resolve();

  async query<T = Record<string, unknown>>(sql: string, params?: SqlParam[]): Promise<T[]> {
    return this.runner.query<T>(sql, params);
  }

  async exec(sql: string, params?: SqlParam[]): Promise<{ changes: number }> {
    return this.runner.exec(sql, params);
  }

  /** One connection: transactions are queued so two async callers never interleave inside BEGIN…COMMIT. */
  async transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    const run = async () => {
      this.db.exec("BEGIN IMMEDIATE");
      try {
        const out = await fn(this.runner);
        this.db.exec("COMMIT");
        return out;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
        throw e;
      }
    };
    const p = this.txTail.then(run, run);
    this.txTail = p.catch(() => undefined);
    return p;
  }

  async migrateFeature(name: string, statements: string[]): Promise<void> {
    const applied = this.db.prepare("SELECT count(*) FROM feature_migrations WHERE feature = ?").pluck().get(name) as number;
    for (let v = applied; v < statements.length; v++)
      this.db.transaction(() => {
        this.db.exec(statements[v]);
        this.db.prepare("INSERT INTO feature_migrations (feature, version, applied_at) VALUES (?, ?, ?)").run(name, v + 1, new Date().toISOString());
      })();
  }

  async replaceFindings(findings: Finding[]): Promise<void> {
    const ins = this.db.prepare(
      "INSERT OR REPLACE INTO findings (id, resource_id, subscription_id, severity, status, risk_score, owner_name, owner_email, recommendation_name, resource_name, doc) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
    );
    const fw = this.db.prepare("INSERT OR IGNORE INTO finding_frameworks (finding_id, framework) VALUES (?, ?)");
    this.db.transaction(() => {
      this.db.exec("DELETE FROM findings; DELETE FROM finding_frameworks;");
      for (const f of findings) {
        ins.run(
          f.id,
          f.resourceId,
          f.subscriptionId,
          f.recommendation.severity,
          f.status,
          f.risk.score,
          f.owner.name,
          f.owner.email,
          f.recommendation.name,
          f.resourceName,
          JSON.stringify(f),
        );
        for (const framework of new Set(f.controls.map((c) => c.framework))) fw.run(f.id, framework);
      }
    })();
  }

  private where(filter: FindingFilter = {}): { sql: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (filter.severity) {
      clauses.push("lower(severity) = lower(?)");
      params.push(filter.severity);
    }
    if (filter.status) {
      clauses.push("lower(status) = lower(?)");
      params.push(filter.status);
    }
    if (filter.subscriptionId) {
      clauses.push("lower(subscription_id) = lower(?)");
      params.push(filter.subscriptionId);
    }
    if (filter.owner) {
      clauses.push("(lower(owner_name) LIKE lower(?) OR lower(owner_email) LIKE lower(?))");
      params.push(`%${filter.owner}%`, `%${filter.owner}%`);
    }
    if (filter.framework) {
      clauses.push("id IN (SELECT finding_id FROM finding_frameworks WHERE lower(framework) = lower(?))");
      params.push(filter.framework);
    }
    if (filter.search) {
      clauses.push("(lower(resource_name) LIKE lower(?) OR lower(recommendation_name) LIKE lower(?))");
      params.push(`%${filter.search}%`, `%${filter.search}%`);
    }
    return { sql: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", params };
  }

  async listFindings(filter: FindingFilter = {}): Promise<Finding[]> {
    const { sql, params } = this.where(filter);
    const page = filter.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(filter.limit))} OFFSET ${Math.max(0, Math.floor(filter.offset ?? 0))}` : "";
    return (
      this.db.prepare(`SELECT doc FROM findings ${sql} ORDER BY risk_score DESC, id${page}`).pluck().all(...params) as string[]
    ).map((d) => JSON.parse(d));
  }

  async countFindings(filter: FindingFilter = {}): Promise<number> {
    const { sql, params } = this.where(filter);
    return this.db.prepare(`SELECT count(*) FROM findings ${sql}`).pluck().get(...params) as number;
  }

  async getFinding(id: string): Promise<Finding | undefined> {
    const doc = this.db.prepare("SELECT doc FROM findings WHERE id = ?").pluck().get(id) as string | undefined;
    return doc ? JSON.parse(doc) : undefined;
  }

  async replaceActivity(events: ActivityEvent[]): Promise<void> {
    const ins = this.db.prepare("INSERT OR REPLACE INTO activity (event_id, time, doc) VALUES (?, ?, ?)");
    this.db.transaction(() => {
      this.db.exec("DELETE FROM activity");
      for (const e of events) ins.run(e.eventId, e.time, JSON.stringify(e));
    })();
  }

  async listActivity(): Promise<ActivityEvent[]> {
    return (this.db.prepare("SELECT doc FROM activity ORDER BY time").pluck().all() as string[]).map((d) => JSON.parse(d));
  }

  async replaceAlerts(alerts: Alert[]): Promise<void> {
    const ins = this.db.prepare("INSERT OR REPLACE INTO alerts (id, doc) VALUES (?, ?)");
    this.db.transaction(() => {
      this.db.exec("DELETE FROM alerts");
      for (const a of alerts) ins.run(a.id, JSON.stringify(a));
    })();
  }

  async listAlerts(): Promise<Alert[]> {
    return (this.db.prepare("SELECT doc FROM alerts").pluck().all() as string[]).map((d) => JSON.parse(d));
  }

  async appendAudit(events: Omit<AuditEvent, "seq" | "prevHash" | "hash">[]): Promise<AuditEvent[]> {
    const ins = this.db.prepare(
      "INSERT INTO audit (seq, time, actor, action, subject, digest, details, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)",
    );
    return this.db.transaction(() => {
      const last = this.db.prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").get() as
        | { seq: number; hash: string }
        | undefined;
      const chained = chainEvents(events, last?.seq ?? 0, last?.hash ?? GENESIS_HASH);
      for (const e of chained)
        ins.run(e.seq, e.time, e.actor, e.action, e.subject, e.digest, JSON.stringify(e.details), e.prevHash, e.hash);
      return chained;
    })();
  }

  async listAudit(): Promise<AuditEvent[]> {
    return (this.db.prepare("SELECT * FROM audit ORDER BY seq").all() as Record<string, unknown>[]).map((r) => ({
      seq: r.seq as number,
      time: r.time as string,
      actor: r.actor as string,
      action: r.action as string,
      subject: r.subject as string,
      digest: r.digest as string,
      details: JSON.parse(r.details as string),
      prevHash: r.prev_hash as string,
      hash: r.hash as string,
    }));
  }

  async rawUpsert(table: string, rows: RawRowRecord[]): Promise<RawUpsertCounts> {
    const last = new Map(rows.map((r) => [r.id.toLowerCase(), r]));
    const out: RawUpsertCounts = { added: 0, changed: 0, unchanged: 0 };
    const st = this.rawStatements();
    this.db.transaction(() => {
      for (const [id, r] of last) {
        // One point read of the row's page, which the write below then finds in the cache.
        const prev = st.get.get(table, id) as { hash: string; gen: number } | undefined;
        if (!prev) {
          out.added++;
          st.insert.run(table, id, r.hash, r.gen, JSON.stringify(r.doc));
        } else if (prev.hash !== r.hash) {
          out.changed++;
          st.update.run(r.hash, r.gen, JSON.stringify(r.doc), table, id);
        } else {
          out.unchanged++;
          if (prev.gen < r.gen) st.bump.run(r.gen, table, id);
        }
      }
    })();
    return out;
  }

  private rawStmts?: { get: Database.Statement; insert: Database.Statement; update: Database.Statement; bump: Database.Statement };
  private rawStatements() {
    this.rawStmts ??= {
      get: this.db.prepare("SELECT hash, gen FROM raw_rows WHERE tbl = ? AND id = ?"),
      insert: this.db.prepare("INSERT INTO raw_rows (tbl, id, hash, gen, doc) VALUES (?, ?, ?, ?, ?)"),
      update: this.db.prepare("UPDATE raw_rows SET hash = ?, gen = ?, doc = ? WHERE tbl = ? AND id = ?"),
      bump: this.db.prepare("UPDATE raw_rows SET gen = ? WHERE tbl = ? AND id = ?"),
    };
    return this.rawStmts;
  }

  async rawGet(table: string, ids: string[]): Promise<Map<string, RawRowRecord>> {
    const out = new Map<string, RawRowRecord>();
    const get = this.db.prepare("SELECT id, hash, gen, doc FROM raw_rows WHERE tbl = ? AND id = ?");
    for (const id of ids) {
      const r = get.get(table, id.toLowerCase()) as { id: string; hash: string; gen: number; doc: string } | undefined;
      if (r) out.set(r.id, { id: r.id, hash: r.hash, gen: r.gen, doc: JSON.parse(r.doc) });
    }
    return out;
  }

  async rawDelete(table: string, ids: string[]): Promise<number> {
    const del = this.db.prepare("DELETE FROM raw_rows WHERE tbl = ? AND id = ?");
    return this.db.transaction(() => ids.reduce((n, id) => n + del.run(table, id.toLowerCase()).changes, 0))();
  }

  async rawList(table: string, opts: { beforeGen?: number } = {}): Promise<RawRowRecord[]> {
    const rows = (opts.beforeGen === undefined
      ? this.db.prepare("SELECT id, hash, gen, doc FROM raw_rows WHERE tbl = ? ORDER BY id").all(table)
      : this.db.prepare("SELECT id, hash, gen, doc FROM raw_rows WHERE tbl = ? AND gen < ? ORDER BY id").all(table, opts.beforeGen)) as { id: string; hash: string; gen: number; doc: string }[];
    return rows.map((r) => ({ id: r.id, hash: r.hash, gen: r.gen, doc: JSON.parse(r.doc) }));
  }

  async rawIds(table: string, opts: { prefix?: string } = {}): Promise<string[]> {
    const range = keyRange(opts.prefix);
    if (!range) return this.db.prepare("SELECT id FROM raw_rows WHERE tbl = ? ORDER BY id").pluck().all(table) as string[];
    const ids = this.db.prepare("SELECT id FROM raw_rows WHERE tbl = ? AND id >= ? AND id < ? ORDER BY id").pluck().all(table, range.lo, range.hi) as string[];
    return ids.filter((id) => id.startsWith(range.lo));
  }

  async rawSweep(table: string, beforeGen: number): Promise<number> {
    return this.db.prepare("DELETE FROM raw_rows WHERE tbl = ? AND gen < ?").run(table, beforeGen).changes;
  }

  async getMeta(key: string): Promise<string | undefined> {
    return this.db.prepare("SELECT value FROM meta WHERE key = ?").pluck().get(key) as string | undefined;
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)").run(key, value);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
