import type Database from "better-sqlite3";
import { insertOutboxRows, migrateDelivery, type NewOutboxMessage } from "../delivery/repo";
import { ConflictError } from "../domain/errors";
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

export const WORKFLOW_DDL = [
  `CREATE TABLE IF NOT EXISTS approvals (
     id TEXT PRIMARY KEY, finding_id TEXT NOT NULL, state TEXT NOT NULL, scope TEXT NOT NULL, author TEXT NOT NULL,
     revision INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, doc TEXT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS approvals_finding ON approvals (finding_id)`,
  `CREATE INDEX IF NOT EXISTS approvals_state ON approvals (state)`,
];

export function migrateWorkflow(db: Database.Database): void {
  for (const ddl of WORKFLOW_DDL) db.exec(ddl);
  migrateDelivery(db);
}

type Row = { doc: string; revision: number };

export class SqliteApprovalRepo implements ApprovalRepo {
  constructor(readonly db: Database.Database) {
    migrateWorkflow(db);
  }

  async get(id: string) {
    const r = this.db.prepare("SELECT doc, revision FROM approvals WHERE id = ?").get(id) as Row | undefined;
    return r ? { ...(JSON.parse(r.doc) as Approval), revision: r.revision } : undefined;
  }

  async list(filter: { state?: ApprovalState; findingId?: string } = {}) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.state) where.push("state = ?"), params.push(filter.state);
    if (filter.findingId) where.push("finding_id = ?"), params.push(filter.findingId);
    const rows = this.db
      .prepare(`SELECT doc, revision FROM approvals ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at, id`)
      .all(...params) as Row[];
    return rows.map((r) => ({ ...(JSON.parse(r.doc) as Approval), revision: r.revision }));
  }

  async save(a: Approval, expectedRevision: number | undefined, outbox: NewOutboxMessage[] = []): Promise<number> {
    const { revision: _r, ...doc } = a as Approval & { revision?: number };
    return this.db.transaction(() => {
      let rev: number;
      if (expectedRevision === undefined) {
        this.db
          .prepare(
            "INSERT INTO approvals (id, finding_id, state, scope, author, revision, created_at, updated_at, doc) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)",
          )
          .run(a.id, a.findingId, a.state, a.scope, a.author, a.createdAt, a.updatedAt, JSON.stringify(doc));
        rev = 1;
      } else {
        const changed = this.db
          .prepare("UPDATE approvals SET state = ?, revision = ?, updated_at = ?, doc = ? WHERE id = ? AND revision = ?")
          .run(a.state, expectedRevision + 1, a.updatedAt, JSON.stringify(doc), a.id, expectedRevision).changes;
        if (changed === 0) throw new ConflictError(`approval ${a.id} changed meanwhile`, { hint: "reload it and retry" });
        rev = expectedRevision + 1;
      }
      insertOutboxRows(this.db, outbox, a.updatedAt);
      return rev;
    })();
  }
}
