import { InputError } from "../domain/errors";
import type { Finding } from "../domain/finding";
import type { Store } from "../store/store";
import type { Facets, FindingPage, FindingRow } from "./api-types";

export type { Facets, FindingPage, FindingRow } from "./api-types";

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

export const SEVERITIES = ["High", "Medium", "Low"];
const STATUSES = ["Unhealthy", "Healthy", "NotApplicable"];
export const LEVELS: Record<string, [number, number]> = { critical: [65, 1000], high: [45, 65], medium: [25, 45], low: [-1, 25] };

function canonical(values: string[], allowed: string[], field: string): string[] {
  return values.map((v) => {
    const hit = allowed.find((a) => a.toLowerCase() === v.trim().toLowerCase());
    if (!hit) throw new InputError(`unknown ${field} '${v}' (use ${allowed.join(", ")})`, { field });
    return hit;
  });
}

/** How list pages, counts and facets are answered; FindingReader caches around it. */
export interface PageSource {
  page(q: FindingQuery, now: Date): Promise<FindingPage>;
  count(q: FindingQuery, now: Date): Promise<number>;
  facets(subscriptionId: string | undefined): Promise<Facets>;
  /** The data changed: drop what was derived from it. */
  reset(): void;
}

/** Meta key of the counter this server (any process) bumps when it writes something list pages depend on. */
export const DATA_VERSION_KEY = "server.dataVersion";
/**
 * What tells the reader the data changed, in portable SQL: a run started or finished, an exemption was added or
 * removed (by the CLI or any server process), or a server process bumped its counter.
 */
const VERSION_SQL = `SELECT (SELECT count(*) FROM runs) AS runs, (SELECT max(started_at) FROM runs) AS started,
  (SELECT max(finished_at) FROM runs) AS finished, (SELECT value FROM meta WHERE key = '${DATA_VERSION_KEY}') AS counter,
  (SELECT count(*) FROM compliance_exemptions) AS exemptions, (SELECT max(created_at) FROM compliance_exemptions) AS exempted`;

export interface FindingReaderOptions {
  /** Keep answered pages until the data changes (a new run, an exemption); off to measure raw queries. */
  cachePages?: boolean;
  /** The SQLite fast path (B5): indexed SQL straight on the store's connection; false = the portable path everywhere. */
  fastPath?: boolean;
  /** How long a data-version check is trusted, in ms (writes through this reader take effect at once). */
  versionTtlMs?: number;
  now?: () => Date;
}

/**
 * Read side of the API. List pages, counts and facets come from SQL over the store's `findings` table: the
 * portable subset on every store (PortableSource), or, on SQLite, the B5 fast path (sqlite-fast.ts: rowid
 * keyset walks and cached prepared statements). Derived values are cached until the data version changes.
 */
export class FindingReader {
  private memo = new Map<string, unknown>();
  private pageCache = new Map<string, FindingPage>();
  private version: string | undefined;
  private checkedAt = 0;
  private checking: Promise<string> | undefined;
  private readonly cachePages: boolean;
  private readonly ttl: number;
  private readonly now: () => Date;
  private sourceP: Promise<PageSource> | undefined;

  constructor(
    readonly store: Store,
    private readonly opts: FindingReaderOptions = {},
  ) {
    this.cachePages = opts.cachePages ?? true;
    this.ttl = opts.versionTtlMs ?? 250;
    this.now = opts.now ?? (() => new Date());
  }

  /** Which path answers pages: "sqlite-fast" or "portable". */
  async path(): Promise<string> {
    return (await this.source()) instanceof PortableSource ? "portable" : "sqlite-fast";
  }

  private source(): Promise<PageSource> {
    this.sourceP ??= (async () => {
      if (this.opts.fastPath !== false && this.store.kind === "sqlite") {
        const { sqliteFastSource } = await import("./sqlite-fast");
        const fast = sqliteFastSource(this.store);
        if (fast) return fast;
      }
      return new PortableSource(this.store, this);
    })();
    return this.sourceP;
  }

  /** The current data version; when it changed since the last look, every cache is dropped. */
  async dataVersion(force = false): Promise<string> {
    if (!force && this.version !== undefined && Date.now() - this.checkedAt < this.ttl) return this.version;
    this.checking ??= (async () => {
      try {
        const [r] = await this.store.query<Record<string, unknown>>(VERSION_SQL);
        const v = JSON.stringify([r?.runs, r?.started, r?.finished, r?.counter, r?.exemptions, r?.exempted].map((x) => (x ?? null) as unknown));
        this.checkedAt = Date.now();
        if (v !== this.version) {
          this.version = v;
          this.memo.clear();
          this.pageCache.clear();
          (await this.source()).reset();
        }
        return v;
      } finally {
        this.checking = undefined;
      }
    })();
    return this.checking;
  }

  /** Call after this server changes something rows depend on: bumps the shared counter (other processes see it). */
  async touched(): Promise<void> {
    const [r] = await this.store.query<{ value: string }>("SELECT value FROM meta WHERE key = ?", [DATA_VERSION_KEY]);
    await this.store.setMeta(DATA_VERSION_KEY, String((Number(r?.value) || 0) + 1));
    await this.dataVersion(true);
  }

  /** Caches an expensive derived value until the data changes. */
  async cached<T>(key: string, compute: () => Promise<T> | T): Promise<T> {
    await this.dataVersion();
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const value = await compute();
    this.memo.set(key, value);
    return value;
  }

  normalize(q: FindingQuery): FindingQuery {
    const out: FindingQuery = { ...q };
    if (q.severity?.length) out.severity = canonical(q.severity, SEVERITIES, "severity");
    if (q.level?.length) out.level = canonical(q.level, Object.keys(LEVELS), "level");
    if (q.status) out.status = canonical([q.status], STATUSES, "status")[0];
    if (q.subscriptionId) out.subscriptionId = q.subscriptionId.toLowerCase();
    if (q.environment) out.environment = q.environment.toLowerCase();
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
    await this.dataVersion();
    const source = await this.source();
    if (!this.cachePages) return source.page(q, this.now());
    const key = JSON.stringify(q);
    const hit = this.pageCache.get(key);
    if (hit) return hit;
    const page = await source.page(q, this.now());
    if (this.pageCache.size >= 5000) this.pageCache.delete(this.pageCache.keys().next().value as string);
    this.pageCache.set(key, page);
    return page;
  }

  async count(query: FindingQuery): Promise<number> {
    const q = this.normalize(query);
    await this.dataVersion();
    return (await this.source()).count(q, this.now());
  }

  /** Facets for filter menus; `subscriptionId` limits them to one subscription (scoped tokens). */
  async facets(subscriptionId?: string): Promise<Facets> {
    const sub = subscriptionId?.toLowerCase();
    return this.cached(`facets:${sub ?? "*"}`, async () => (await this.source()).facets(sub));
  }

  /** Every finding (for derived views); cached per data version. */
  async allFindings(): Promise<Finding[]> {
    return this.cached("all-findings", () => this.store.listFindings());
  }

  /**
   * Walks every finding's document in id order, `chunk` rows per query (portable keyset paging), so a large
   * estate is never held in memory at once. `where` filters on columns (portable SQL).
   */
  async scan(
    fn: (row: { id: string; risk_score: number; doc: Finding }) => void,
    where: { sql?: string; params?: (string | number)[] } = {},
    chunk = 1000,
  ): Promise<void> {
    let after: string | null = null;
    for (;;) {
      const cond = [where.sql, after !== null ? "id > ?" : undefined].filter(Boolean).join(" AND ");
      const params: (string | number)[] = [...(where.params ?? []), ...(after !== null ? [after] : [])];
      const rows: { id: string; risk_score: number; doc: string }[] = await this.store.query(
        `SELECT id, risk_score, doc FROM findings ${cond ? `WHERE ${cond}` : ""} ORDER BY id LIMIT ?`,
        [...params, chunk],
      );
      for (const r of rows) fn({ id: r.id, risk_score: Number(r.risk_score), doc: JSON.parse(r.doc) as Finding });
      if (rows.length < chunk) return;
      after = rows[rows.length - 1].id;
    }
  }
}

/** Whether a finding's exemption is in force at `now` (an expired one no longer counts). */
export function exemptAt(exemption: { expiresOn?: string | null } | null | undefined, now: Date): boolean {
  if (!exemption) return false;
  return !exemption.expiresOn || Date.parse(exemption.expiresOn) > now.getTime();
}

export function findingToRow(f: Finding, now: Date = new Date()): FindingRow {
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
    exempt: exemptAt(f.exemption, now),
  };
}

// ---------------------------------------------------------------------------------------------------------
// The portable path: the Store port's SQL subset, on SQLite and PostgreSQL alike.

/** What a finding's document says that the findings table has no column for. */
interface Attrs {
  environment: string;
  subscriptionId: string;
  exemptionExpires: string | null | undefined; // undefined: no exemption; null: one without expiry
}

const PORTABLE_ORDER: Record<Exclude<SortKey, "environment">, (dir: string) => string> = {
  risk: (d) => `risk_score ${d}, id ${d === "DESC" ? "ASC" : "DESC"}`,
  severity: (d) => `CASE severity WHEN 'High' THEN 3 WHEN 'Medium' THEN 2 ELSE 1 END ${d}, risk_score DESC, id`,
  resource: (d) => `resource_name ${d}, risk_score DESC, id`,
  recommendation: (d) => `recommendation_name ${d}, risk_score DESC, id`,
  owner: (d) => `owner_name ${d}, risk_score DESC, id`,
};

const like = (s: string) => `%${s.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

/** Column conditions in the portable subset (environment and exemption are not columns: see PortableSource). */
export function portableWhere(q: FindingQuery): { conds: string[]; params: (string | number)[] } {
  const c: string[] = [];
  const p: (string | number)[] = [];
  if (q.severity?.length) {
    c.push(`severity IN (${q.severity.map(() => "?").join(", ")})`);
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
    c.push(q.owner.includes("@") ? "owner_email = ?" : "owner_name = ?");
    p.push(q.owner);
  }
  if (q.framework) {
    c.push("EXISTS (SELECT 1 FROM finding_frameworks ff WHERE ff.finding_id = findings.id AND ff.framework = ?)");
    p.push(q.framework);
  }
  if (q.search) {
    c.push("(lower(resource_name) LIKE ? ESCAPE '\\' OR lower(recommendation_name) LIKE ? ESCAPE '\\' OR id = ?)");
    p.push(like(q.search), like(q.search), q.search);
  }
  return { conds: c, params: p };
}

const whereSql = (conds: string[]) => (conds.length ? `WHERE ${conds.join(" AND ")}` : "");

/**
 * Pages in portable SQL: filters on columns, ORDER BY … LIMIT ? OFFSET ?, keyset cursors on (risk_score, id).
 * Environment and exemption live in the documents only: queries that filter or sort on them take the ordered ids
 * from SQL and a per-data-version map of those two attributes (built by a chunked scan), filtered in TypeScript.
 */
export class PortableSource implements PageSource {
  private counts = new Map<string, number>();
  private lists = new Map<string, { id: string; score: number }[]>();

  constructor(
    private readonly store: Store,
    private readonly reader: FindingReader,
  ) {}

  reset(): void {
    this.counts.clear();
    this.lists.clear();
  }

  private attrs(): Promise<Map<string, Attrs>> {
    return this.reader.cached("attrs", async () => {
      const m = new Map<string, Attrs>();
      const intern = new Map<string, string>();
      const i = (s: string) => intern.get(s) ?? (intern.set(s, s), s);
      await this.reader.scan(({ id, doc }) =>
        m.set(id, {
          environment: i(String(doc.environment ?? "unknown")),
          subscriptionId: i(String(doc.subscriptionId ?? "").toLowerCase()),
          exemptionExpires: doc.exemption ? (doc.exemption.expiresOn ?? null) : undefined,
        }),
      );
      return m;
    });
  }

  private static needsAttrs(q: FindingQuery): boolean {
    return q.environment !== undefined || q.exempt !== undefined || q.sort === "environment";
  }

  /** Rows for ids, in the given order, from their documents. */
  private async rows(ids: string[], now: Date): Promise<FindingRow[]> {
    if (!ids.length) return [];
    const docs = await this.store.query<{ id: string; doc: string }>(
      `SELECT id, doc FROM findings WHERE id IN (${ids.map(() => "?").join(", ")})`,
      ids,
    );
    const byId = new Map(docs.map((d) => [d.id, findingToRow(JSON.parse(d.doc) as Finding, now)]));
    return ids.map((id) => byId.get(id)).filter((r): r is FindingRow => !!r);
  }

  /** Every id matching the query, in its order, with environment/exemption applied (cached per query). */
  private async list(q: FindingQuery, now: Date): Promise<{ id: string; score: number }[]> {
    const key = JSON.stringify({ ...q, limit: 0, offset: 0, cursor: undefined });
    const hit = this.lists.get(key);
    if (hit) return hit;
    const w = portableWhere(q);
    const dir = q.order === "asc" ? "ASC" : "DESC";
    const order = PORTABLE_ORDER[q.sort === "environment" ? "risk" : (q.sort as Exclude<SortKey, "environment">)](
      q.sort === "environment" ? "DESC" : dir,
    );
    const rows = await this.store.query<{ id: string; risk_score: number }>(
      `SELECT id, risk_score FROM findings ${whereSql(w.conds)} ORDER BY ${order}`,
      w.params,
    );
    const attrs = await this.attrs();
    const t = now.getTime();
    let out = rows
      .map((r) => ({ id: r.id, score: Number(r.risk_score), a: attrs.get(r.id) }))
      .filter(({ a }) => {
        if (q.environment !== undefined && (a?.environment ?? "unknown") !== q.environment) return false;
        if (q.exempt !== undefined) {
          const e = a?.exemptionExpires;
          const exempt = e === null || (e !== undefined && Date.parse(e) > t);
          if (exempt !== q.exempt) return false;
        }
        return true;
      });
    if (q.sort === "environment") {
      const sign = dir === "ASC" ? 1 : -1;
      out = out
        .map((x, i) => ({ x, i }))
        .sort((p, r) => {
          const a = p.x.a?.environment ?? "unknown";
          const b = r.x.a?.environment ?? "unknown";
          return (a < b ? -1 : a > b ? 1 : 0) * sign || p.i - r.i;
        })
        .map(({ x }) => x);
    }
    const list = out.map(({ id, score }) => ({ id, score }));
    if (this.lists.size > 200) this.lists.clear();
    this.lists.set(key, list);
    return list;
  }

  async page(q: FindingQuery, now: Date): Promise<FindingPage> {
    const limit = q.limit as number;
    const offset = q.cursor ? 0 : (q.offset as number);
    const cursor = q.cursor ? decodePortableCursor(q.cursor) : undefined;
    let picked: { id: string; score: number }[];
    let total: number;
    if (PortableSource.needsAttrs(q)) {
      const all = await this.list(q, now);
      const start = cursor ? all.findIndex((x) => x.score < cursor[0] || (x.score === cursor[0] && x.id > cursor[1])) : offset;
      picked = start < 0 ? [] : all.slice(start, start + limit);
      total = all.length;
    } else {
      const w = portableWhere(q);
      if (cursor) {
        w.conds.push("(risk_score < ? OR (risk_score = ? AND id > ?))");
        w.params.push(cursor[0], cursor[0], cursor[1]);
      }
      const dir = q.order === "asc" ? "ASC" : "DESC";
      const rows = await this.store.query<{ id: string; risk_score: number }>(
        `SELECT id, risk_score FROM findings ${whereSql(w.conds)} ORDER BY ${PORTABLE_ORDER[q.sort as Exclude<SortKey, "environment">](dir)} LIMIT ? OFFSET ?`,
        [...w.params, limit, offset],
      );
      picked = rows.map((r) => ({ id: r.id, score: Number(r.risk_score) }));
      total = await this.count(q, now);
    }
    const items = await this.rows(
      picked.map((p) => p.id),
      now,
    );
    const last = picked[picked.length - 1];
    const nextCursor = q.sort === "risk" && q.order === "desc" && picked.length === limit && last ? encodePortableCursor(last.score, last.id) : null;
    return { items, total, limit, offset, nextCursor };
  }

  async count(q: FindingQuery, now: Date): Promise<number> {
    if (PortableSource.needsAttrs(q)) return (await this.list(q, now)).length;
    const w = portableWhere(q);
    const key = JSON.stringify(w);
    const hit = this.counts.get(key);
    if (hit !== undefined) return hit;
    const [r] = await this.store.query<{ n: number }>(`SELECT count(*) AS n FROM findings ${whereSql(w.conds)}`, w.params);
    const n = Number(r?.n ?? 0);
    if (this.counts.size > 2000) this.counts.clear();
    this.counts.set(key, n);
    return n;
  }

  async facets(sub: string | undefined): Promise<Facets> {
    const where = sub ? "WHERE subscription_id = ?" : "";
    const params = sub ? [sub] : [];
    const group = async (sql: string, p: string[] = params) =>
      Object.fromEntries((await this.store.query<{ k: string | null; n: number }>(sql, p)).map((r) => [r.k ?? "unknown", Number(r.n)]));
    const [tot] = await this.store.query<{ n: number }>(`SELECT count(*) AS n FROM findings ${where}`, params);
    const environment: Record<string, number> = {};
    for (const a of (await this.attrs()).values())
      if (!sub || a.subscriptionId === sub) environment[a.environment] = (environment[a.environment] ?? 0) + 1;
    return {
      total: Number(tot?.n ?? 0),
      severity: await group(`SELECT severity AS k, count(*) AS n FROM findings ${where} GROUP BY severity`),
      level: await group(
        `SELECT CASE WHEN risk_score >= 65 THEN 'critical' WHEN risk_score >= 45 THEN 'high' WHEN risk_score >= 25 THEN 'medium' ELSE 'low' END AS k, count(*) AS n FROM findings ${where} GROUP BY 1`,
      ),
      status: await group(`SELECT status AS k, count(*) AS n FROM findings ${where} GROUP BY status`),
      environment,
      framework: sub
        ? await group(
            "SELECT ff.framework AS k, count(*) AS n FROM finding_frameworks ff JOIN findings f ON f.id = ff.finding_id WHERE f.subscription_id = ? GROUP BY ff.framework ORDER BY 2 DESC",
          )
        : await group("SELECT framework AS k, count(*) AS n FROM finding_frameworks GROUP BY framework ORDER BY 2 DESC", []),
      subscription: await group(`SELECT subscription_id AS k, count(*) AS n FROM findings ${where} GROUP BY subscription_id ORDER BY 2 DESC`),
      owner: await group(`SELECT coalesce(owner_email, owner_name) AS k, count(*) AS n FROM findings ${where} GROUP BY 1 ORDER BY 2 DESC LIMIT 200`),
    };
  }
}

function encodePortableCursor(score: number, id: string): string {
  return Buffer.from(JSON.stringify([score, id])).toString("base64url");
}

function decodePortableCursor(c: string): [number, string] {
  try {
    const v = JSON.parse(Buffer.from(c, "base64url").toString()) as unknown;
    if (Array.isArray(v) && v.length === 2 && Number.isFinite(v[0]) && typeof v[1] === "string") return [v[0] as number, v[1] as string];
  } catch {
    /* malformed below */
  }
  throw new InputError("malformed cursor", { field: "cursor" });
}
