import type Database from "better-sqlite3";
import { insertOutboxRows, migrateDelivery, type NewOutboxMessage, once, type SqlStore } from "../delivery/repo";
import { ConflictError } from "../domain/errors";
import type { SqlParam, SqlRunner } from "../store/store";
import type { Approval, ApprovalState } from "./model";

/**
 * Approval persistence. Async so PostgreSQL can implement it; `save` writes the approval and its outbox
 * messages in ONE transaction (the transactional outbox) and refuses a stale write (optimistic concurrency on
 * `revision`), so two approvers clicking at once cannot both win.
 */
export interface ApprovalRepo {
  get(id: string): Promise<(Approval & { revision: number }) | undefined>;
  list(filter?: { state?: ApprovalState; findingId?: string }): Promise<(Approval & { revision: number })[]>;
  /** `expectedRevision` undefined = insert. Returns the new revision. */
  save(a: Approval, expectedRevision: number | undefined, outbox?: NewOutboxMessage[]): Promise<number>;
}

/**
 * The workflow's tables, as `migrateFeature("workflow", …)` migrations: append, never edit a shipped one.
 * Migration 1 is the layout SQLite databases already had (`IF NOT EXISTS`, so older databases are adopted).
 */
export const WORKFLOW_MIGRATIONS = [
  `CREATE TABLE IF NOT EXISTS approvals (
     id TEXT PRIMARY KEY, finding_id TEXT NOT NULL, state TEXT NOT NULL, scope TEXT NOT NULL, author TEXT NOT NULL,
     revision INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, doc TEXT NOT NULL);
   CREATE INDEX IF NOT EXISTS approvals_finding ON approvals (finding_id);
   CREATE INDEX IF NOT EXISTS approvals_state ON approvals (state);`,
];

/** Creates (or upgrades) the approval tables and the outbox they write to, on any store. */
export async function migrateWorkflow(store: SqlStore): Promise<void> {
  await store.migrateFeature("workflow", WORKFLOW_MIGRATIONS);
  await migrateDelivery(store);
}

type Row = { doc: string; revision: number };
const toStored = (r: Row) => ({ ...(JSON.parse(r.doc) as Approval), revision: Number(r.revision) });

/** Approvals on any Store (SQLite or PostgreSQL) through its portable SQL; creates its tables on first use. */
export class StoreApprovalRepo implements ApprovalRepo {
  private readonly ready: () => Promise<void>;

  constructor(readonly store: SqlStore) {
    this.ready = once(() => migrateWorkflow(store));
  }

  async get(id: string) {
    await this.ready();
    const [r] = await this.store.query<Row>("SELECT doc, revision FROM approvals WHERE id = ?", [id]);
    return r ? toStored(r) : undefined;
  }

  async list(filter: { state?: ApprovalState; findingId?: string } = {}) {
    await this.ready();
    const where: string[] = [];
    const params: SqlParam[] = [];
    if (filter.state) {
      where.push("state = ?");
      params.push(filter.state);
    }
    if (filter.findingId) {
      where.push("finding_id = ?");
      params.push(filter.findingId);
    }
    const rows = await this.store.query<Row>(
      `SELECT doc, revision FROM approvals ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at, id`,
      params,
    );
    return rows.map(toStored);
  }

  /**
   * Inserts (expectedRevision undefined) or updates only if the stored revision is still `expectedRevision`:
   * the conditional UPDATE is the check, so of two concurrent saves from the same revision exactly one sees
   * `changes = 1` (PostgreSQL row lock, SQLite write lock) and the other gets a ConflictError and writes nothing.
   */
  async save(a: Approval, expectedRevision: number | undefined, outbox: NewOutboxMessage[] = []): Promise<number> {
    await this.ready();
    const { revision: _r, ...doc } = a as Approval & { revision?: number };
    return this.store.transaction(async (tx) => {
      let rev: number;
      if (expectedRevision === undefined) {
        await tx.exec(
          "INSERT INTO approvals (id, finding_id, state, scope, author, revision, created_at, updated_at, doc) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)",
          [a.id, a.findingId, a.state, a.scope, a.author, a.createdAt, a.updatedAt, JSON.stringify(doc)],
        );
        rev = 1;
      } else {
        const { changes } = await tx.exec(
          "UPDATE approvals SET state = ?, revision = ?, updated_at = ?, doc = ? WHERE id = ? AND revision = ?",
          [a.state, expectedRevision + 1, a.updatedAt, JSON.stringify(doc), a.id, expectedRevision],
        );
        if (changes === 0) throw new ConflictError(`approval ${a.id} changed meanwhile`, { hint: "reload it and retry" });
        rev = expectedRevision + 1;
      }
      await insertOutboxRows(tx, outbox, a.updatedAt);
      return rev;
    });
  }
}

/**
 * @deprecated Use `new StoreApprovalRepo(store)`. Kept for callers that only hold the better-sqlite3 handle
 * of an SQLite store (`store.db`): the same repository, over that handle.
 */
export class SqliteApprovalRepo extends StoreApprovalRepo {
  constructor(readonly db: Database.Database) {
    super(sqlStoreOnSqliteDb(db));
  }
}

/**
 * The Store port's portable-SQL subset over a bare better-sqlite3 handle (what SqliteStore does, for a caller
 * that only has the handle). Transactions are queued, as SqliteStore's are, so two async callers never share
 * one BEGIN…COMMIT on the single connection.
 */
function sqlStoreOnSqliteDb(db: Database.Database): SqlStore {
  const bind = (params: SqlParam[] = []) => params.map((p) => (p === undefined ? null : typeof p === "boolean" ? (p ? 1 : 0) : p));
  const runner: SqlRunner = {
    query: async <T>(sql: string, params?: SqlParam[]) => db.prepare(sql).all(...bind(params)) as T[],
    exec: async (sql: string, params?: SqlParam[]) => ({ changes: db.prepare(sql).run(...bind(params)).changes }),
  };
  let tail: Promise<unknown> = Promise.resolve();
  return {
    ...runner,
    async transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
      const run = async () => {
        db.exec("BEGIN IMMEDIATE");
        try {
          const out = await fn(runner);
          db.exec("COMMIT");
          return out;
        } catch (e) {
          if (db.inTransaction) db.exec("ROLLBACK");
          throw e;
        }
      };
      const p = tail.then(run, run);
      tail = p.catch(() => undefined);
      return p;
    },
    async migrateFeature(name: string, statements: string[]) {
      db.exec(
        "CREATE TABLE IF NOT EXISTS feature_migrations (feature TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (feature, version))",
      );
      const applied = db.prepare("SELECT count(*) FROM feature_migrations WHERE feature = ?").pluck().get(name) as number;
      for (let v = applied; v < statements.length; v++)
        db.transaction(() => {
          db.exec(statements[v]);
          db.prepare("INSERT INTO feature_migrations (feature, version, applied_at) VALUES (?, ?, ?)").run(
            name,
            v + 1,
            new Date().toISOString(),
          );
        })();
    },
  };
}
