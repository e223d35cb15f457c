import { type Expr, KqlDate, type Query, msOf, toStr } from "./kql";

/**
 * Secondary indexes over one ARG table, as the real service keeps them: rows by lower-cased `id` and `type`,
 * and datetime properties in time order. Built when the tenant changes, never during a query, so a selective
 * query (`id in~ (...)`, `type =~ '...'`, `todatetime(properties.x) > datetime(...)`) costs what it returns,
 * not a scan of the table.
 *
 * An index only narrows the rows a query starts from to a superset of its matches (in table order); the query's
 * own `where` still runs on them, so results are the same with or without an index (simulator.test.ts checks it).
 */
export class KqlTableIndex {
  private readonly byKey = new Map<string, Map<string, number[]>>();
  private readonly byTime = new Map<string, { ms: Float64Array; row: Int32Array }>();

  constructor(
    readonly rows: readonly Record<string, unknown>[],
    datetimePaths: readonly string[] = [],
  ) {
    for (const col of ["id", "type"]) {
      const m = new Map<string, number[]>();
      rows.forEach((r, i) => {
        const k = toStr(r[col]).toLowerCase();
        const list = m.get(k);
        if (list) list.push(i);
        else m.set(k, [i]);
      });
      this.byKey.set(col, m);
    }
    for (const path of datetimePaths) {
      const steps = path.split(".");
      const found: { ms: number; row: number }[] = [];
      rows.forEach((r, i) => {
        let v: unknown = r;
        for (const s of steps) v = v === null || v === undefined ? undefined : (v as Record<string, unknown>)[s];
        const ms = msOf(v);
        if (ms !== undefined) found.push({ ms, row: i });
      });
      found.sort((a, b) => a.ms - b.ms);
      this.byTime.set(path, { ms: Float64Array.from(found, (f) => f.ms), row: Int32Array.from(found, (f) => f.row) });
    }
  }

  /**
   * The rows the query's leading `where` clauses can match (a superset, in table order), or the whole table
   * when no index applies.
   */
  candidates(q: Query): readonly Record<string, unknown>[] {
    let keep: Uint8Array | undefined;
    for (const op of q.ops) {
      if (op.k !== "where") break;
      const c = this.plan(op.e);
      if (c) keep = keep ? and(keep, c) : c;
    }
    if (!keep) return this.rows;
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < keep.length; i++) if (keep[i]) out.push(this.rows[i]);
    return out;
  }

  /** A mark per row that may satisfy `e` (1) or surely does not (0); undefined for "any row". */
  private plan(e: Expr): Uint8Array | undefined {
    if (e.k === "bin" && e.op === "and") {
      const l = this.plan(e.l);
      const r = this.plan(e.r);
      return l && r ? and(l, r) : (l ?? r);
    }
    if (e.k === "bin" && e.op === "or") {
      const l = this.plan(e.l);
      const r = l && this.plan(e.r);
      return l && r ? or(l, r) : undefined;
    }
    if (e.k === "in" && (e.op === "in" || e.op === "in~")) {
      const col = keyColumn(e.l);
      if (!col || !e.list.every((x) => x.k === "lit" && !(x.v instanceof KqlDate))) return undefined;
      return this.mark(e.list.flatMap((x) => this.keyed(col, (x as { v: unknown }).v)));
    }
    if (e.k !== "bin" || e.r.k !== "lit") return undefined;
    const lit = e.r.v;
    const col = keyColumn(e.l);
    if (col && !(lit instanceof KqlDate) && (e.op === "=~" || e.op === "==")) return this.mark(this.keyed(col, lit));
    if (col === "type" && e.op === "!~") {
      const out = new Uint8Array(this.rows.length).fill(1);
      for (const i of this.keyed(col, lit)) out[i] = 0;
      return out;
    }
    if (lit instanceof KqlDate && (e.op === ">" || e.op === ">=" || e.op === "<" || e.op === "<=")) {
      const inner = e.l.k === "call" && e.l.fn === "todatetime" && e.l.args.length === 1 ? e.l.args[0] : e.l;
      const t = inner.k === "path" ? this.byTime.get([inner.root, ...inner.steps].join(".")) : undefined;
      if (!t) return undefined;
      const at = (strict: boolean) => firstAbove(t.ms, lit.dt, strict);
      const upper = e.op === ">" || e.op === ">=";
      const cut = at(e.op === ">" || e.op === "<=");
      return this.mark(upper ? t.row.subarray(cut) : t.row.subarray(0, cut));
    }
    return undefined;
  }

  private keyed(col: "id" | "type", v: unknown): number[] {
    return this.byKey.get(col)?.get(toStr(v).toLowerCase()) ?? [];
  }

  private mark(rows: ArrayLike<number>): Uint8Array {
    const out = new Uint8Array(this.rows.length);
    for (let i = 0; i < rows.length; i++) out[rows[i]] = 1;
    return out;
  }
}

function and(a: Uint8Array, b: Uint8Array): Uint8Array {
  for (let i = 0; i < a.length; i++) a[i] &= b[i];
  return a;
}

function or(a: Uint8Array, b: Uint8Array): Uint8Array {
  for (let i = 0; i < a.length; i++) a[i] |= b[i];
  return a;
}

/** `id` or `type` as a bare column (the indexed keys), else undefined. */
function keyColumn(e: Expr): "id" | "type" | undefined {
  return e.k === "path" && e.steps.length === 0 && (e.root === "id" || e.root === "type") ? e.root : undefined;
}

/** First position whose time is above `t` (strict) or at least `t`. */
function firstAbove(ms: Float64Array, t: number, strict: boolean): number {
  let lo = 0;
  let hi = ms.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (strict ? ms[mid] <= t : ms[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
