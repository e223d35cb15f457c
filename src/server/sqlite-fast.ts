import type Database from "better-sqlite3";
import { InputError } from "../domain/errors";
import type { Store } from "../store/store";
import {
  exemptAt,
  type Facets,
  type FindingPage,
  type FindingQuery,
  type FindingRow,
  type PageSource,
  portableWhere,
  type SortKey,
} from "./data";

/**
 * The B5 fast path, for the SQLite store only (bench/b5-api.ts): the same answers as PortableSource, but on the
 * store's own better-sqlite3 connection with cached prepared statements, a rowid keyset walk in risk order (only
 * the page's rowids are found through the index, then only those rows are read) and `json_extract` for the fields
 * that have no column. PostgreSQL (and SQLite with `fastPath: false`) take the portable path in data.ts.
 * Returns undefined when the store does not expose its connection.
 */
export function sqliteFastSource(store: Store): PageSource | undefined {
  const db = (store as unknown as { db?: Database.Database }).db;
  if (store.kind !== "sqlite" || !db || typeof db.prepare !== "function") return undefined;
  return new SqliteFastSource(db);
}

class SqliteFastSource implements PageSource {
  private counts = new Map<string, number>();
  private stmts = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  reset(): void {
    this.counts.clear();
  }

  private prep(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      if (this.stmts.size > 500) this.stmts.clear();
      this.stmts.set(sql, s);
    }
    return s;
  }

  private where(q: FindingQuery, now: Date, withCursor: boolean): { sql: string; params: unknown[] } {
    // The column conditions are the portable ones; SQLite adds what it can read from the document itself.
    const { conds: c, params: p } = portableWhere(q) as { conds: string[]; params: unknown[] };
    if (q.environment) {
      c.push("json_extract(doc, '$.environment') = ?");
      p.push(q.environment);
    }
    if (q.exempt !== undefined) {
      // The finding's compliance exemption (src/compliance writes it onto the stored finding), while unexpired.
      c.push(
        `${q.exempt ? "" : "NOT "}(json_extract(doc, '$.exemption') IS NOT NULL AND coalesce(json_extract(doc, '$.exemption.expiresOn'), '9999') > ?)`,
      );
      p.push(now.toISOString());
    }
    if (withCursor && q.cursor) {
      const [score, rowid] = decodeCursor(q.cursor);
      c.push("(risk_score < ? OR (risk_score = ? AND rowid > ?))");
      p.push(score, score, rowid);
    }
    return { sql: c.length ? `WHERE ${c.join(" AND ")}` : "", params: p };
  }

  async page(q: FindingQuery, now: Date): Promise<FindingPage> {
    const w = this.where(q, now, true);
    const order = ORDER_SQL[q.sort as SortKey](q.order === "asc" ? "ASC" : "DESC");
    const offset = q.cursor ? 0 : (q.offset as number);
    // Two phases: walk the (indexed) order for the page's rowids only, then read those rows' columns.
    const ids = this.prep(`SELECT rowid FROM findings ${w.sql} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .pluck()
      .all(...w.params, q.limit, offset) as number[];
    const byRowid = new Map<number, SqlRow>();
    if (ids.length)
      for (const r of this.prep(`SELECT ${ROW_COLUMNS} FROM findings WHERE rowid IN (${ids.map(() => "?").join(",")})`).all(...ids) as SqlRow[])
        byRowid.set(r.rid, r);
    const rows = ids.map((id) => byRowid.get(id)).filter((r): r is SqlRow => !!r);
    const total = await this.count(q, now);
    const last = rows[rows.length - 1];
    const nextCursor =
      q.sort === "risk" && q.order === "desc" && rows.length === q.limit && last ? encodeCursor(last.risk_score, last.rid) : null;
    return { items: rows.map((r) => sqlRowToFinding(r, now)), total, limit: q.limit as number, offset, nextCursor };
  }

  async count(q: FindingQuery, now: Date): Promise<number> {
    const w = this.where({ ...q, cursor: undefined }, now, false);
    const key = JSON.stringify([w.sql, w.params]);
    const hit = this.counts.get(key);
    if (hit !== undefined) return hit;
    const n = this.prep(`SELECT count(*) FROM findings ${w.sql}`)
      .pluck()
      .get(...w.params) as number;
    if (this.counts.size > 2000) this.counts.clear();
    this.counts.set(key, n);
    return n;
  }

  async facets(sub: string | undefined): Promise<Facets> {
    const db = this.db;
    const where = sub ? "WHERE subscription_id = ?" : "";
    const params = sub ? [sub] : [];
    const group = (sql: string) =>
      Object.fromEntries(
        (
          db
            .prepare(sql)
            .raw()
            .all(...params) as [string, number][]
        ).map(([k, n]) => [k ?? "unknown", n]),
      );
    return {
      total: db
        .prepare(`SELECT count(*) FROM findings ${where}`)
        .pluck()
        .get(...params) as number,
      severity: group(`SELECT severity, count(*) FROM findings ${where} GROUP BY severity`),
      level: group(
        `SELECT CASE WHEN risk_score >= 65 THEN 'critical' WHEN risk_score >= 45 THEN 'high' WHEN risk_score >= 25 THEN 'medium' ELSE 'low' END l, count(*) FROM findings ${where} GROUP BY l`,
      ),
      status: group(`SELECT status, count(*) FROM findings ${where} GROUP BY status`),
      environment: group(`SELECT json_extract(doc, '$.environment') e, count(*) FROM findings ${where} GROUP BY e`),
      framework: sub
        ? group(
            "SELECT ff.framework, count(*) FROM finding_frameworks ff JOIN findings f ON f.id = ff.finding_id WHERE f.subscription_id = ? GROUP BY ff.framework ORDER BY 2 DESC",
          )
        : group("SELECT framework, count(*) FROM finding_frameworks GROUP BY framework ORDER BY 2 DESC"),
      subscription: group(`SELECT subscription_id, count(*) FROM findings ${where} GROUP BY subscription_id ORDER BY 2 DESC`),
      owner: group(`SELECT coalesce(owner_email, owner_name), count(*) FROM findings ${where} GROUP BY 1 ORDER BY 2 DESC LIMIT 200`),
    };
  }
}

// One json_extract with several paths parses each document once and returns a JSON array.
const ROW_COLUMNS = `rowid AS rid, id, resource_id, subscription_id, severity, status, risk_score, owner_name, owner_email,
  recommendation_name, resource_name,
  json_extract(doc, '$.environment', '$.resourceType', '$.resourceGroup', '$.recommendation.category', '$.risk.level', '$.exemption') AS extra,
  (SELECT group_concat(framework, ',') FROM finding_frameworks ff WHERE ff.finding_id = findings.id) AS frameworks`;

interface SqlRow {
  rid: number;
  id: string;
  resource_id: string;
  subscription_id: string | null;
  severity: string;
  status: string;
  risk_score: number;
  owner_name: string | null;
  owner_email: string | null;
  recommendation_name: string | null;
  resource_name: string | null;
  extra: string;
  frameworks: string | null;
}

const ORDER_SQL: Record<SortKey, (dir: string) => string> = {
  risk: (d) => `risk_score ${d}, rowid ${d === "DESC" ? "ASC" : "DESC"}`,
  severity: (d) => `CASE severity WHEN 'High' THEN 3 WHEN 'Medium' THEN 2 ELSE 1 END ${d}, risk_score DESC, rowid`,
  resource: (d) => `resource_name ${d}, risk_score DESC, rowid`,
  recommendation: (d) => `recommendation_name ${d}, risk_score DESC, rowid`,
  owner: (d) => `owner_name ${d}, risk_score DESC, rowid`,
  environment: (d) => `json_extract(doc, '$.environment') ${d}, risk_score DESC, rowid`,
};

function sqlRowToFinding(r: SqlRow, now: Date): FindingRow {
  const [environment, resourceType, resourceGroup, category, level, exemption] = JSON.parse(r.extra) as [
    string | null,
    string | null,
    string | null,
    string | null,
    string | null,
    { expiresOn?: string | null } | null,
  ];
  return {
    id: r.id,
    resourceId: r.resource_id,
    resourceName: r.resource_name ?? "",
    resourceType: resourceType ?? "",
    resourceGroup: resourceGroup ?? "",
    subscriptionId: r.subscription_id ?? "",
    environment: environment ?? "unknown",
    severity: r.severity,
    status: r.status,
    recommendation: r.recommendation_name ?? "",
    category: category ?? "",
    riskScore: r.risk_score,
    riskLevel: level ?? "",
    owner: r.owner_name ?? "",
    ownerEmail: r.owner_email,
    frameworks: r.frameworks ? r.frameworks.split(",") : [],
    exempt: exemptAt(exemption, now),
  };
}

function encodeCursor(score: number, rowid: number): string {
  return Buffer.from(`${score}:${rowid}`).toString("base64url");
}

function decodeCursor(c: string): [number, number] {
  const [a, b] = Buffer.from(c, "base64url").toString().split(":").map(Number);
  if (!Number.isFinite(a) || !Number.isInteger(b)) throw new InputError("malformed cursor", { field: "cursor" });
  return [a, b];
}
