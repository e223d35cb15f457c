import type Database from "better-sqlite3";
import { InputError } from "../domain/errors";
import type { Finding } from "../domain/finding";
import type { Store } from "../store/store";

/** One row of the findings table: what the list view needs, without the dossier and remediation bodies. */
export interface FindingRow {
  id: string;
  resourceId: string;
  resourceName: string;
  resourceType: string;
  resourceGroup: string;
  subscriptionId: string;
  environment: string;
  severity: string;
  status: string;
  recommendation: string;
  category: string;
  riskScore: number;
  riskLevel: string;
  owner: string;
  ownerEmail: string | null;
  frameworks: string[];
  exempt: boolean;
}

export interface FindingQuery {
  severity?: string[];
  level?: string[];
  status?: string;
  environment?: string;
  framework?: string;
  owner?: string;
  subscriptionId?: string;
  search?: string;
  exempt?: boolean;
  sort?: SortKey;
  order?: "asc" | "desc";
  limit?: number;
  offset?: number;
  /** Opaque keyset cursor from a previous page (risk order only). */
  cursor?: string;
}

export const SORT_KEYS = ["risk", "severity", "resource", "recommendation", "owner", "environment"] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface FindingPage {
  items: FindingRow[];
  total: number;
  limit: number;
  offset: number;
  nextCursor: string | null;
}

const SEVERITIES = ["High", "Medium", "Low"];
const STATUSES = ["Unhealthy", "Healthy", "NotApplicable"];
const LEVELS: Record<string, [number, number]> = { critical: [65, 1000], high: [45, 65], medium: [25, 45], low: [-1, 25] };

function canonical(values: string[], allowed: string[], field: string): string[] {
  return values.map((v) => {
    const hit = allowed.find((a) => a.toLowerCase() === v.trim().toLowerCase());
    if (!hit) throw new InputError(`unknown ${field} '${v}' (use ${allowed.join(", ")})`, { field });
    return hit;
  });
}

/**
 * Read side of the API. With the SQLite store it answers list pages with indexed SQL over the store's
 * `findings` table (keyset or offset paging in risk order, counts cached per data version); with another
 * store it falls back to the Store port and filters in memory.
 */
export class FindingReader {
  private countCache = new Map<string, number>();
  private memo = new Map<string, unknown>();
  private version = -1;
  private localWrites = 0;
  private stmtCache = new Map<string, Database.Statement>();

  private pageCache = new Map<string, FindingPage>();

  constructor(
    readonly store: Store,
    private db?: Database.Database,
    /** Keep answered pages until the data changes (a new run, an exemption); off to measure raw queries. */
    private cachePages = true,
  ) {}

  /** Changes when another connection commits (a new run) or this server writes an overlay (exemption). */
  dataVersion(): number {
    const v = this.db ? (this.db.pragma("data_version", { simple: true }) as number) * 1e6 + this.localWrites : this.localWrites;
    if (v !== this.version) {
      this.version = v;
      this.countCache.clear();
      this.memo.clear();
      this.pageCache.clear();
    }
    return v;
  }

  /** Call after this server changes something rows depend on. */
  touched(): void {
    this.localWrites++;
    this.dataVersion();
  }

  /** Caches an expensive derived value until the data changes. */
  async cached<T>(key: string, compute: () => Promise<T> | T): Promise<T> {
    this.dataVersion();
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const value = await compute();
    this.memo.set(key, value);
    return value;
  }

  private prep(sql: string): Database.Statement {
    let s = this.stmtCache.get(sql);
    if (!s) {
      s = (this.db as Database.Database).prepare(sql);
      if (this.stmtCache.size > 500) this.stmtCache.clear();
      this.stmtCache.set(sql, s);
    }
    return s;
  }

  normalize(q: FindingQuery): FindingQuery {
    const out: FindingQuery = { ...q };
    if (q.severity?.length) out.severity = canonical(q.severity, SEVERITIES, "severity");
    if (q.level?.length) out.level = canonical(q.level, Object.keys(LEVELS), "level");
    if (q.status) out.status = canonical([q.status], STATUSES, "status")[0];
    if (q.subscriptionId) out.subscriptionId = q.subscriptionId.toLowerCase();
    out.limit = Math.min(500, Math.max(1, Math.floor(q.limit ?? 50)));
    out.offset = Math.max(0, Math.floor(q.offset ?? 0));
    out.sort = q.sort ?? "risk";
    out.order = q.order ?? (out.sort === "risk" ? "desc" : "asc");
    if (q.cursor && (out.sort !== "risk" || out.order !== "desc"))
      throw new InputError("cursor paging works in risk order only", { field: "cursor" });
    return out;
  }

  async page(query: FindingQuery): Promise<FindingPage> {
    const q = this.normalize(query);
    this.dataVersion();
    if (!this.db) return this.memoryPage(q);
    if (!this.cachePages) return this.sqlPage(q);
    const key = JSON.stringify(q);
    const hit = this.pageCache.get(key);
    if (hit) return hit;
    const page = this.sqlPage(q);
    if (this.pageCache.size >= 5000) this.pageCache.delete(this.pageCache.keys().next().value as string);
    this.pageCache.set(key, page);
    return page;
  }

  private where(q: FindingQuery, withCursor: boolean): { sql: string; params: unknown[] } {
    const c: string[] = [];
    const p: unknown[] = [];
    if (q.severity?.length) {
      c.push(`severity IN (${q.severity.map(() => "?").join(",")})`);
      p.push(...q.severity);
    }
    if (q.level?.length) {
      c.push(`(${q.level.map(() => "(risk_score >= ? AND risk_score < ?)").join(" OR ")})`);
      for (const l of q.level) p.push(...LEVELS[l]);
    }
    if (q.status) {
      c.push("status = ?");
      p.push(q.status);
    }
    if (q.subscriptionId) {
      c.push("subscription_id = ?");
      p.push(q.subscriptionId);
    }
    if (q.owner) {
      // One indexable column per request: an email matches owner_email, anything else owner_name.
      c.push(q.owner.includes("@") ? "owner_email = ?" : "owner_name = ?");
      p.push(q.owner);
    }
    if (q.environment) {
      c.push("json_extract(doc, '$.environment') = ?");
      p.push(q.environment.toLowerCase());
    }
    if (q.framework) {
      c.push("EXISTS (SELECT 1 FROM finding_frameworks ff WHERE ff.finding_id = findings.id AND ff.framework = ?)");
      p.push(q.framework);
    }
    if (q.search) {
      c.push("(resource_name LIKE ? ESCAPE '\\' OR recommendation_name LIKE ? ESCAPE '\\' OR id = ?)");
      const like = `%${q.search.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      p.push(like, like, q.search);
    }
    if (q.exempt !== undefined) {
      c.push(`${q.exempt ? "" : "NOT "}(${EXEMPT_SQL})`);
    }
    if (withCursor && q.cursor) {
      const [score, rowid] = decodeCursor(q.cursor);
      c.push("(risk_score < ? OR (risk_score = ? AND rowid > ?))");
      p.push(score, score, rowid);
    }
    return { sql: c.length ? `WHERE ${c.join(" AND ")}` : "", params: p };
  }

  private sqlPage(q: FindingQuery): FindingPage {
    const w = this.where(q, true);
    const order = ORDER_SQL[q.sort as SortKey](q.order === "asc" ? "ASC" : "DESC");
    const offset = q.cursor ? 0 : (q.offset as number);
    // Two phases: walk the (indexed) order for the page's rowids only, then read those rows' columns.
    const ids = this.prep(`SELECT rowid FROM findings ${w.sql} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .pluck()
      .all(...w.params, q.limit, offset) as number[];
    const byRowid = new Map<number, SqlRow>();
    if (ids.length) {
      const cols = this.hasExemptions() ? ROW_COLUMNS : ROW_COLUMNS_NO_EXEMPTIONS;
      for (const r of this.prep(`SELECT ${cols} FROM findings WHERE rowid IN (${ids.map(() => "?").join(",")})`).all(...ids) as SqlRow[])
        byRowid.set(r.rid, r);
    }
    const rows = ids.map((id) => byRowid.get(id)).filter((r): r is SqlRow => !!r);
    const total = this.count(q);
    const last = rows[rows.length - 1];
    const nextCursor =
      q.sort === "risk" && q.order === "desc" && rows.length === q.limit && last ? encodeCursor(last.risk_score, last.rid) : null;
    return { items: rows.map(sqlRowToFinding), total, limit: q.limit as number, offset, nextCursor };
  }

  /** Whether any server-side exemption exists (skips a per-row subquery when none do). */
  private hasExemptions(): boolean {
    const v = this.memo.get("has-exemptions");
    if (v !== undefined) return v as boolean;
    const has = !!(this.db as Database.Database).prepare("SELECT 1 FROM server_exemptions WHERE revoked_at IS NULL LIMIT 1").get();
    this.memo.set("has-exemptions", has);
    return has;
  }

  count(q: FindingQuery): number {
    const w = this.where({ ...q, cursor: undefined }, false);
    const key = JSON.stringify([w.sql, w.params]);
    const hit = this.countCache.get(key);
    if (hit !== undefined) return hit;
    const n = this.prep(`SELECT count(*) FROM findings ${w.sql}`)
      .pluck()
      .get(...w.params) as number;
    if (this.countCache.size > 2000) this.countCache.clear();
    this.countCache.set(key, n);
    return n;
  }

  private async memoryPage(q: FindingQuery): Promise<FindingPage> {
    const all = await this.cached("all-rows", async () => (await this.store.listFindings()).map((f) => findingToRow(f)));
    const s = q.search?.toLowerCase();
    let rows = all.filter(
      (r) =>
        (!q.severity?.length || q.severity.includes(r.severity)) &&
        (!q.level?.length || q.level.includes(r.riskLevel)) &&
        (!q.status || r.status === q.status) &&
        (!q.subscriptionId || r.subscriptionId.toLowerCase() === q.subscriptionId) &&
        (!q.owner || (q.owner.includes("@") ? r.ownerEmail === q.owner : r.owner === q.owner)) &&
        (!q.environment || r.environment === q.environment) &&
        (!q.framework || r.frameworks.includes(q.framework)) &&
        (!s || r.resourceName.toLowerCase().includes(s) || r.recommendation.toLowerCase().includes(s) || r.id === q.search) &&
        (q.exempt === undefined || r.exempt === q.exempt),
    );
    const key = MEMORY_SORT[q.sort as SortKey];
    const dir = q.order === "asc" ? 1 : -1;
    rows = [...rows].sort((a, b) => {
      const x = key(a);
      const y = key(b);
      return (x < y ? -1 : x > y ? 1 : 0) * dir || (a.id < b.id ? -1 : 1);
    });
    const offset = q.offset as number;
    return {
      items: rows.slice(offset, offset + (q.limit as number)),
      total: rows.length,
      limit: q.limit as number,
      offset,
      nextCursor: null,
    };
  }

  /**
   * Counts per severity, level, environment, framework, subscription and the owners list, for filter menus;
   * `subscriptionId` limits them to one subscription (scoped tokens).
   */
  async facets(subscriptionId?: string): Promise<Facets> {
    const sub = subscriptionId?.toLowerCase();
    return this.cached(`facets:${sub ?? "*"}`, async () => {
      if (!this.db) {
        await this.memoryPage(this.normalize({ limit: 1 }));
        const rows = (this.memo.get("all-rows") as FindingRow[]) ?? [];
        return facetsOf(sub ? rows.filter((r) => r.subscriptionId.toLowerCase() === sub) : rows);
      }
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
    });
  }

  /** Every finding (for derived views such as compliance); cached per data version. */
  async allFindings(): Promise<Finding[]> {
    return this.cached("all-findings", () => this.store.listFindings());
  }
}

export interface Facets {
  total: number;
  severity: Record<string, number>;
  level: Record<string, number>;
  status: Record<string, number>;
  environment: Record<string, number>;
  framework: Record<string, number>;
  subscription: Record<string, number>;
  owner: Record<string, number>;
}

function facetsOf(rows: FindingRow[]): Facets {
  const by = (k: (r: FindingRow) => string | string[]) => {
    const m: Record<string, number> = {};
    for (const r of rows) for (const v of [k(r)].flat()) m[v] = (m[v] ?? 0) + 1;
    return m;
  };
  return {
    total: rows.length,
    severity: by((r) => r.severity),
    level: by((r) => r.riskLevel),
    status: by((r) => r.status),
    environment: by((r) => r.environment),
    framework: by((r) => r.frameworks),
    subscription: by((r) => r.subscriptionId),
    owner: by((r) => r.ownerEmail ?? r.owner),
  };
}

const EXEMPT_SQL =
  "json_extract(doc, '$.exemption') IS NOT NULL OR EXISTS (SELECT 1 FROM server_exemptions se WHERE se.finding_id = findings.id AND se.revoked_at IS NULL AND se.expires_on > strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))";

// One json_extract with several paths parses each document once and returns a JSON array.
const BASE_COLUMNS = `rowid AS rid, id, resource_id, subscription_id, severity, status, risk_score, owner_name, owner_email,
  recommendation_name, resource_name,
  json_extract(doc, '$.environment', '$.resourceType', '$.resourceGroup', '$.recommendation.category', '$.risk.level', '$.exemption') AS extra,
  (SELECT group_concat(framework, ',') FROM finding_frameworks ff WHERE ff.finding_id = findings.id) AS frameworks`;
const ROW_COLUMNS = `${BASE_COLUMNS}, (${EXEMPT_SQL}) AS exempt`;
const ROW_COLUMNS_NO_EXEMPTIONS = `${BASE_COLUMNS}, 0 AS exempt`;

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
  exempt: number;
}

const ORDER_SQL: Record<SortKey, (dir: string) => string> = {
  risk: (d) => `risk_score ${d}, rowid ${d === "DESC" ? "ASC" : "DESC"}`,
  severity: (d) => `CASE severity WHEN 'High' THEN 3 WHEN 'Medium' THEN 2 ELSE 1 END ${d}, risk_score DESC, rowid`,
  resource: (d) => `resource_name ${d}, risk_score DESC, rowid`,
  recommendation: (d) => `recommendation_name ${d}, risk_score DESC, rowid`,
  owner: (d) => `owner_name ${d}, risk_score DESC, rowid`,
  environment: (d) => `json_extract(doc, '$.environment') ${d}, risk_score DESC, rowid`,
};

const SEV_RANK: Record<string, number> = { High: 3, Medium: 2, Low: 1 };
const MEMORY_SORT: Record<SortKey, (r: FindingRow) => string | number> = {
  risk: (r) => r.riskScore,
  severity: (r) => SEV_RANK[r.severity] ?? 0,
  resource: (r) => r.resourceName,
  recommendation: (r) => r.recommendation,
  owner: (r) => r.owner,
  environment: (r) => r.environment,
};

function sqlRowToFinding(r: SqlRow): FindingRow {
  const [environment, resourceType, resourceGroup, category, level, exemption] = JSON.parse(r.extra) as (string | null)[];
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
    exempt: !!r.exempt || exemption !== null,
  };
}

export function findingToRow(f: Finding, exempt = false): FindingRow {
  return {
    id: f.id,
    resourceId: f.resourceId,
    resourceName: f.resourceName,
    resourceType: f.resourceType,
    resourceGroup: f.resourceGroup,
    subscriptionId: f.subscriptionId,
    environment: f.environment,
    severity: f.recommendation.severity,
    status: f.status,
    recommendation: f.recommendation.name,
    category: f.recommendation.category,
    riskScore: f.risk.score,
    riskLevel: f.risk.level,
    owner: f.owner.name,
    ownerEmail: f.owner.email,
    frameworks: [...new Set(f.controls.map((c) => c.framework))],
    exempt: exempt || !!f.exemption,
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
