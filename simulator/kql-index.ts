import { compileExpr, type Expr, KqlDate, type Query, msOf, pathFn, toStr } from "./kql";

/** Candidate rows for part of a query: how many, and (only when asked) their sorted row numbers. */
interface Candidates {
  size: number;
  rows(): ArrayLike<number>;
}

/**
 * Secondary indexes over one ARG table, as the real service keeps them: rows by lower-cased `id`, by `type`
 * value (a low-cardinality column, so a predicate on it is decided once per distinct value), and datetime
 * properties in time order. Built when the tenant changes, never during a query, so a selective query
 * (`id in~ (...)`, `type =~ '...'`, `todatetime(properties.x) > datetime(...)`) costs what it returns, not a
 * scan of the table.
 *
 * An index only narrows the rows a query starts from to a superset of its matches (in table order); the query's
 * own `where` still runs on them, so results are the same with or without an index (simulator.test.ts checks it).
 */
export class KqlTableIndex {
  private readonly byId = new Map<string, number[]>();
  private readonly byType = new Map<unknown, number[]>();
  private readonly byTime = new Map<string, { ms: Float64Array; row: Int32Array }>();

  constructor(
    readonly rows: readonly Record<string, unknown>[],
    datetimePaths: readonly string[] = [],
  ) {
    rows.forEach((r, i) => {
      push(this.byId, toStr(r.id).toLowerCase(), i);
      push(this.byType, r.type, i);
    });
    for (const path of datetimePaths) {
      const [root, ...steps] = path.split(".");
      const read = pathFn(root, steps);
      const found: { ms: number; row: number }[] = [];
      rows.forEach((r, i) => {
        const ms = msOf(read(r));
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
  candidates(q: Query, now = Date.now()): readonly Record<string, unknown>[] {
    let best: Candidates | undefined;
    for (const op of q.ops) {
      if (op.k !== "where") break;
      const c = this.plan(op.e, now);
      if (c && (!best || c.size < best.size)) best = c;
    }
    if (!best) return this.rows;
    return Array.from(best.rows(), (i) => this.rows[i]);
  }

  /** Rows that may satisfy `e`, or undefined for "any row". */
  private plan(e: Expr, now: number): Candidates | undefined {
    if (onlyType(e)) {
      // Decided per distinct `type` value: exact, and as cheap as the table has types.
      const test = compileExpr(e, now);
      const lists = [...this.byType].filter(([v]) => test({ type: v })).map(([, rows]) => rows);
      return union(lists);
    }
    if (e.k === "bin" && e.op === "and") {
      // Either side is a superset of the conjunction: start from the smaller; the query's filter does the rest.
      const l = this.plan(e.l, now);
      const r = this.plan(e.r, now);
      return l && r ? (l.size <= r.size ? l : r) : (l ?? r);
    }
    if (e.k === "bin" && e.op === "or") {
      const l = this.plan(e.l, now);
      const r = l && this.plan(e.r, now);
      return l && r ? union([l.rows(), r.rows()]) : undefined;
    }
    if (e.k === "in" && (e.op === "in" || e.op === "in~") && isId(e.l) && e.list.every((x) => x.k === "lit" && !(x.v instanceof KqlDate)))
      return union(e.list.map((x) => this.byId.get(toStr((x as { v: unknown }).v).toLowerCase()) ?? []));
    if (e.k !== "bin" || e.r.k !== "lit") return undefined;
    const lit = e.r.v;
    if (isId(e.l) && !(lit instanceof KqlDate) && (e.op === "=~" || e.op === "==")) return union([this.byId.get(toStr(lit).toLowerCase()) ?? []]);
    if (lit instanceof KqlDate && (e.op === ">" || e.op === ">=" || e.op === "<" || e.op === "<=")) {
      const inner = e.l.k === "call" && e.l.fn === "todatetime" && e.l.args.length === 1 ? e.l.args[0] : e.l;
      const t = inner.k === "path" ? this.byTime.get([inner.root, ...inner.steps].join(".")) : undefined;
      if (!t) return undefined;
      const cut = firstAbove(t.ms, lit.dt, e.op === ">" || e.op === "<=");
      const picked = e.op === ">" || e.op === ">=" ? t.row.subarray(cut) : t.row.subarray(0, cut);
      return { size: picked.length, rows: () => Int32Array.from(picked).sort() };
    }
    return undefined;
  }
}

function push<K>(m: Map<K, number[]>, k: K, i: number): void {
  const list = m.get(k);
  if (list) list.push(i);
  else m.set(k, [i]);
}

const isId = (e: Expr) => e.k === "path" && e.root === "id" && e.steps.length === 0;

/** True when `e` reads no column but `type` (and reads it). */
function onlyType(e: Expr): boolean {
  let reads = false;
  const walk = (x: Expr): boolean => {
    switch (x.k) {
      case "lit":
        return true;
      case "path":
        reads = true;
        return x.root === "type" && x.steps.length === 0;
      case "call":
        return x.args.every(walk);
      case "bin":
        return walk(x.l) && walk(x.r);
      case "in":
        return walk(x.l) && x.list.every(walk);
      case "not":
        return walk(x.e);
    }
  };
  return walk(e) && reads;
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

/** The union of sorted row lists, itself sorted (merged only when asked for). */
function union(lists: ArrayLike<number>[]): Candidates {
  const parts = lists.filter((l) => l.length > 0);
  return {
    size: parts.reduce((n, l) => n + l.length, 0),
    rows: () => (parts.length === 0 ? [] : parts.length === 1 ? parts[0] : Int32Array.from(new Set(parts.flatMap((l) => Array.from(l)))).sort()),
  };
}
