/**
 * The subset of KQL (Kusto) the simulator answers — exactly what Clarion's own queries need:
 *
 *   <table> [| where <expr>]* [| extend name = <expr>, ...]* [| project <col | name = expr>, ...]
 *           [| order by <col> [asc|desc], ...] [| limit N | take N]
 *
 * Tables: resources, resourcecontainers, securityresources, authorizationresources, resourcechanges.
 * Expressions: and, or, not(...), parentheses; == != =~ !~ < <= > >= ; in / in~ / !in / !in~ (list);
 * contains, !contains, startswith, endswith, has (case-insensitive as in KQL); string, number, bool literals,
 * datetime(...), ago(Nd|Nh|Nm|Ns); functions tostring, todatetime, tolower, toupper, coalesce, isempty,
 * isnotempty, isnull, isnotnull. Property paths a.b['c'][0] are case-sensitive, as KQL's dynamic access is.
 * Anything else raises KqlError, which the server turns into ARG's 400 `InvalidQuery`.
 */

export class KqlError extends Error {
  constructor(
    message: string,
    readonly position = 0,
  ) {
    super(message);
    this.name = "KqlError";
  }
}

type Tok = { t: "str" | "num" | "id" | "op" | "raw"; v: string; pos: number };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const pos = i;
    if (c === "'" || c === '"') {
      let s = "";
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === "\\" && i + 1 < src.length) {
          const n = src[i + 1];
          s += n === "n" ? "\n" : n === "t" ? "\t" : n;
          i += 2;
        } else s += src[i++];
      }
      if (i >= src.length) throw new KqlError("unterminated string literal", pos);
      i++;
      out.push({ t: "str", v: s, pos });
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?[a-z]*/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ t: "num", v: m[0], pos });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_$@]/.test(c)) {
      const m = /^[A-Za-z_$@][A-Za-z0-9_$@-]*/.exec(src.slice(i)) as RegExpExecArray;
      let word = m[0];
      // Hyphenated words only for operators like project-away; trim trailing hyphen uses.
      if (word.includes("-") && !/^(project-away|project-keep|project-rename)$/.test(word)) word = word.split("-")[0];
      i += word.length;
      if ((word === "datetime" || word === "ago" || word === "timespan") && src[i] === "(") {
        const close = src.indexOf(")", i);
        if (close < 0) throw new KqlError(`unterminated ${word}(`, pos);
        out.push({ t: "raw", v: `${word}:${src.slice(i + 1, close).trim().replace(/^['"]|['"]$/g, "")}`, pos });
        i = close + 1;
        continue;
      }
      out.push({ t: "id", v: word, pos });
      continue;
    }
    const two = src.slice(i, i + 3);
    const op = ["!in~", "!~", "=~", "==", "!=", "<=", ">=", "in~"].find((o) => two.startsWith(o) || src.slice(i, i + 4).startsWith(o));
    if (op && (op[0] === "!" || op[0] === "=" || op[0] === "<" || op[0] === ">")) {
      out.push({ t: "op", v: op, pos });
      i += op.length;
      continue;
    }
    if ("|(),.[]=<>~!".includes(c)) {
      out.push({ t: "op", v: c, pos });
      i++;
      continue;
    }
    throw new KqlError(`unexpected character '${c}'`, pos);
  }
  return out;
}

export type Expr =
  | { k: "lit"; v: unknown }
  | { k: "path"; root: string; steps: (string | number)[] }
  | { k: "call"; fn: string; args: Expr[] }
  | { k: "bin"; op: string; l: Expr; r: Expr }
  | { k: "in"; op: string; l: Expr; list: Expr[] }
  | { k: "not"; e: Expr };

export type Op =
  | { k: "where"; e: Expr }
  | { k: "extend"; cols: { name: string; e: Expr }[] }
  | { k: "project"; cols: { name: string; e: Expr }[] }
  | { k: "order"; keys: { e: Expr; desc: boolean }[] }
  | { k: "limit"; n: number };

export interface Query {
  table: string;
  ops: Op[];
}

export const KQL_TABLES = ["resources", "resourcecontainers", "securityresources", "authorizationresources", "resourcechanges"];
const FUNCS = new Set(["tostring", "todatetime", "tolower", "toupper", "coalesce", "isempty", "isnotempty", "isnull", "isnotnull"]);
const WORD_OPS = new Set(["contains", "!contains", "startswith", "endswith", "has", "in", "in~", "!in", "!in~"]);

export function parseKql(src: string): Query {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const next = () => {
    const t = toks[p++];
    if (!t) throw new KqlError("unexpected end of query", src.length);
    return t;
  };
  const expectOp = (v: string) => {
    const t = next();
    if (t.t !== "op" || t.v !== v) throw new KqlError(`expected '${v}' but found '${t.v}'`, t.pos);
  };
  const isOp = (v: string) => peek()?.t === "op" && peek()?.v === v;
  const isWord = (v: string) => peek()?.t === "id" && peek()?.v.toLowerCase() === v;

  const primary = (): Expr => {
    const t = next();
    if (t.t === "str") return { k: "lit", v: t.v };
    if (t.t === "num") {
      if (!/^[0-9.]+$/.test(t.v)) throw new KqlError(`unsupported literal ${t.v}`, t.pos);
      return { k: "lit", v: Number(t.v) };
    }
    if (t.t === "raw") {
      const [kind, arg] = [t.v.slice(0, t.v.indexOf(":")), t.v.slice(t.v.indexOf(":") + 1)];
      if (kind === "datetime") {
        const ms = Date.parse(arg);
        if (!Number.isFinite(ms)) throw new KqlError(`invalid datetime(${arg})`, t.pos);
        return { k: "lit", v: { dt: ms } };
      }
      if (kind === "ago") return { k: "call", fn: "ago", args: [{ k: "lit", v: arg }] };
      throw new KqlError(`unsupported ${kind}()`, t.pos);
    }
    if (t.t === "op" && t.v === "(") {
      const e = orExpr();
      expectOp(")");
      return e;
    }
    if (t.t === "id") {
      const w = t.v;
      if (w === "true" || w === "false") return { k: "lit", v: w === "true" };
      if (w === "not" && isOp("(")) {
        next();
        const e = orExpr();
        expectOp(")");
        return { k: "not", e };
      }
      if (isOp("(")) {
        if (!FUNCS.has(w)) throw new KqlError(`unsupported function ${w}()`, t.pos);
        next();
        const args: Expr[] = [];
        if (!isOp(")")) {
          args.push(orExpr());
          while (isOp(",")) {
            next();
            args.push(orExpr());
          }
        }
        expectOp(")");
        return { k: "call", fn: w, args };
      }
      const steps: (string | number)[] = [];
      for (;;) {
        if (isOp(".")) {
          next();
          const s = next();
          if (s.t !== "id") throw new KqlError("expected a property name after '.'", s.pos);
          steps.push(s.v);
        } else if (isOp("[")) {
          next();
          const s = next();
          if (s.t === "str") steps.push(s.v);
          else if (s.t === "num") steps.push(Number(s.v));
          else throw new KqlError("expected a string or index inside []", s.pos);
          expectOp("]");
        } else break;
      }
      return { k: "path", root: w, steps };
    }
    throw new KqlError(`unexpected '${t.v}'`, t.pos);
  };
  const comparison = (): Expr => {
    const l = primary();
    const t = peek();
    if (!t) return l;
    if (t.t === "op" && ["==", "!=", "=~", "!~", "<", "<=", ">", ">="].includes(t.v)) {
      next();
      return { k: "bin", op: t.v, l, r: primary() };
    }
    if (t.t === "op" && (t.v === "in~" || t.v === "!in~")) {
      next();
      return inList(t.v, l);
    }
    if (t.t === "id" || (t.t === "op" && t.v === "!")) {
      let w = t.v.toLowerCase();
      if (t.t === "op") {
        // "!in", "!contains"
        const n2 = toks[p + 1];
        if (!n2 || n2.t !== "id") return l;
        w = `!${n2.v.toLowerCase()}`;
        if (!WORD_OPS.has(w)) return l;
        p += 2;
      } else {
        if (!WORD_OPS.has(w)) return l;
        next();
      }
      if (w === "in" || w === "!in") {
        if (isOp("~")) {
          next();
          w += "~";
        }
        return inList(w, l);
      }
      return { k: "bin", op: w, l, r: primary() };
    }
    return l;
  };
  const inList = (op: string, l: Expr): Expr => {
    expectOp("(");
    const list: Expr[] = [];
    if (!isOp(")")) {
      list.push(primary());
      while (isOp(",")) {
        next();
        list.push(primary());
      }
    }
    expectOp(")");
    return { k: "in", op, l, list };
  };
  const andExpr = (): Expr => {
    let l = comparison();
    while (isWord("and")) {
      next();
      l = { k: "bin", op: "and", l, r: comparison() };
    }
    return l;
  };
  const orExpr = (): Expr => {
    let l = andExpr();
    while (isWord("or")) {
      next();
      l = { k: "bin", op: "or", l, r: andExpr() };
    }
    return l;
  };
  const colList = (): { name: string; e: Expr }[] => {
    const cols: { name: string; e: Expr }[] = [];
    do {
      if (cols.length) next();
      const first = peek();
      if (first?.t === "id" && toks[p + 1]?.t === "op" && toks[p + 1]?.v === "=") {
        p += 2;
        cols.push({ name: first.v, e: orExpr() });
      } else {
        const e = orExpr();
        cols.push({ name: e.k === "path" ? String(e.steps.length ? e.steps[e.steps.length - 1] : e.root) : `Column${cols.length + 1}`, e });
      }
    } while (isOp(","));
    return cols;
  };

  const head = next();
  if (head.t !== "id" || !KQL_TABLES.includes(head.v.toLowerCase()))
    throw new KqlError(`unknown table '${head.v}' (supported: ${KQL_TABLES.join(", ")})`, head.pos);
  const ops: Op[] = [];
  while (p < toks.length) {
    expectOp("|");
    const t = next();
    const w = t.v.toLowerCase();
    if (w === "where") ops.push({ k: "where", e: orExpr() });
    else if (w === "extend") ops.push({ k: "extend", cols: colList() });
    else if (w === "project") ops.push({ k: "project", cols: colList() });
    else if (w === "order" || w === "sort") {
      const by = next();
      if (by.v.toLowerCase() !== "by") throw new KqlError("expected 'by'", by.pos);
      const keys: { e: Expr; desc: boolean }[] = [];
      do {
        if (keys.length) next();
        const e = orExpr();
        let desc = true; // KQL's default sort order is descending
        if (isWord("asc")) {
          next();
          desc = false;
        } else if (isWord("desc")) next();
        keys.push({ e, desc });
      } while (isOp(","));
      ops.push({ k: "order", keys });
    } else if (w === "limit" || w === "take") {
      const n = next();
      if (n.t !== "num") throw new KqlError("expected a number", n.pos);
      ops.push({ k: "limit", n: Number(n.v) });
    } else throw new KqlError(`unsupported operator '${t.v}'`, t.pos);
  }
  return { table: head.v.toLowerCase(), ops };
}

type Row = Record<string, unknown>;
type Dt = { dt: number };
const isDt = (v: unknown): v is Dt => typeof v === "object" && v !== null && "dt" in v && Object.keys(v).length === 1;

function get(row: Row, root: string, steps: (string | number)[]): unknown {
  let v: unknown = row[root];
  for (const s of steps) {
    if (v === null || v === undefined) return undefined;
    v = (v as Record<string | number, unknown>)[s];
  }
  return v;
}

function toStr(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (isDt(v)) return new Date(v.dt).toISOString();
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function toDt(v: unknown): Dt | undefined {
  if (isDt(v)) return v;
  if (typeof v === "string") {
    const ms = Date.parse(v);
    return Number.isFinite(ms) ? { dt: ms } : undefined;
  }
  return undefined;
}

function agoMs(spec: string, now: number): number {
  const m = /^(\d+(?:\.\d+)?)(d|h|m|s|ms)$/.exec(spec);
  if (!m) throw new KqlError(`invalid timespan ${spec}`);
  const mult = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 }[m[2] as "d"];
  return now - Number(m[1]) * mult;
}

function cmp(a: unknown, b: unknown): number | undefined {
  if (isDt(a) || isDt(b)) {
    const x = toDt(a);
    const y = toDt(b);
    if (!x || !y) return undefined;
    return x.dt - y.dt;
  }
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (a === undefined || a === null || b === undefined || b === null) return undefined;
  const sa = toStr(a);
  const sb = toStr(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function evalExpr(e: Expr, row: Row, now: number): unknown {
  switch (e.k) {
    case "lit":
      return e.v;
    case "path":
      return get(row, e.root, e.steps);
    case "not":
      return !truthy(evalExpr(e.e, row, now));
    case "call": {
      const a = e.args.map((x) => evalExpr(x, row, now));
      switch (e.fn) {
        case "ago":
          return { dt: agoMs(String(a[0]), now) };
        case "tostring":
          return toStr(a[0]);
        case "todatetime":
          return toDt(a[0]) ?? null;
        case "tolower":
          return toStr(a[0]).toLowerCase();
        case "toupper":
          return toStr(a[0]).toUpperCase();
        case "coalesce":
          return a.find((x) => x !== null && x !== undefined && x !== "") ?? null;
        case "isempty":
          return a[0] === null || a[0] === undefined || a[0] === "";
        case "isnotempty":
          return !(a[0] === null || a[0] === undefined || a[0] === "");
        case "isnull":
          return a[0] === null || a[0] === undefined;
        case "isnotnull":
          return !(a[0] === null || a[0] === undefined);
      }
      throw new KqlError(`unsupported function ${e.fn}`);
    }
    case "in": {
      const l = evalExpr(e.l, row, now);
      const ci = e.op.endsWith("~");
      const ls = ci ? toStr(l).toLowerCase() : toStr(l);
      // Literal lists (the common case: `id in~ (...)`) are turned into a set once.
      const cached = e as { set?: Set<string> };
      if (!cached.set && e.list.every((x) => x.k === "lit"))
        cached.set = new Set(e.list.map((x) => (ci ? toStr((x as { v: unknown }).v).toLowerCase() : toStr((x as { v: unknown }).v))));
      const hit = cached.set
        ? cached.set.has(ls)
        : e.list.some((x) => {
            const v = toStr(evalExpr(x, row, now));
            return ci ? v.toLowerCase() === ls : v === ls;
          });
      return e.op.startsWith("!") ? !hit : hit;
    }
    case "bin": {
      if (e.op === "and") return truthy(evalExpr(e.l, row, now)) && truthy(evalExpr(e.r, row, now));
      if (e.op === "or") return truthy(evalExpr(e.l, row, now)) || truthy(evalExpr(e.r, row, now));
      const l = evalExpr(e.l, row, now);
      const r = evalExpr(e.r, row, now);
      switch (e.op) {
        case "==":
          return isDt(l) || isDt(r) ? cmp(l, r) === 0 : l === r || (typeof r === "string" && toStr(l) === r && l !== undefined && l !== null);
        case "!=":
          return !(isDt(l) || isDt(r) ? cmp(l, r) === 0 : toStr(l) === toStr(r));
        case "=~":
          return toStr(l).toLowerCase() === toStr(r).toLowerCase();
        case "!~":
          return toStr(l).toLowerCase() !== toStr(r).toLowerCase();
        case "<":
        case "<=":
        case ">":
        case ">=": {
          const c = cmp(l, r);
          if (c === undefined) return false;
          return e.op === "<" ? c < 0 : e.op === "<=" ? c <= 0 : e.op === ">" ? c > 0 : c >= 0;
        }
        case "contains":
          return toStr(l).toLowerCase().includes(toStr(r).toLowerCase());
        case "!contains":
          return !toStr(l).toLowerCase().includes(toStr(r).toLowerCase());
        case "startswith":
          return toStr(l).toLowerCase().startsWith(toStr(r).toLowerCase());
        case "endswith":
          return toStr(l).toLowerCase().endsWith(toStr(r).toLowerCase());
        case "has":
          return new RegExp(`(^|[^a-z0-9])${toStr(r).toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^a-z0-9])`).test(toStr(l).toLowerCase());
      }
      throw new KqlError(`unsupported operator ${e.op}`);
    }
  }
}

function truthy(v: unknown): boolean {
  return v === true;
}

export interface KqlResult {
  rows: Row[];
  /** True when the query ends in limit/take (ARG then returns no $skipToken). */
  limited: boolean;
  /** True when every projected column is dynamic (ARG then cannot page). */
  allDynamic: boolean;
}

const DYNAMIC_ROOTS = new Set(["properties", "tags", "sku", "plan", "identity", "zones", "extendedLocation"]);

/** Runs a parsed query over rows (which are not modified). */
export function runKql(q: Query, rows: Row[], now = Date.now()): KqlResult {
  let cur: Row[] = rows;
  let limited = false;
  let allDynamic = false;
  for (const op of q.ops) {
    if (op.k === "where") cur = cur.filter((r) => truthy(evalExpr(op.e, r, now)));
    else if (op.k === "extend")
      cur = cur.map((r) => {
        const o = { ...r };
        for (const c of op.cols) o[c.name] = outVal(evalExpr(c.e, r, now));
        return o;
      });
    else if (op.k === "project") {
      cur = cur.map((r) => {
        const o: Row = {};
        for (const c of op.cols) o[c.name] = outVal(evalExpr(c.e, r, now));
        return o;
      });
      allDynamic = op.cols.every((c) => c.e.k === "path" && DYNAMIC_ROOTS.has(c.e.root));
    } else if (op.k === "order") {
      const keyed = cur.map((r) => ({ r, ks: op.keys.map((k) => evalExpr(k.e, r, now)) }));
      keyed.sort((a, b) => {
        for (let i = 0; i < op.keys.length; i++) {
          const c = cmp(a.ks[i], b.ks[i]) ?? (a.ks[i] == null ? (b.ks[i] == null ? 0 : -1) : 1);
          if (c !== 0) return op.keys[i].desc ? -c : c;
        }
        return 0;
      });
      cur = keyed.map((x) => x.r);
    } else if (op.k === "limit") {
      cur = cur.slice(0, op.n);
      limited = true;
    }
  }
  return { rows: cur, limited, allDynamic };
}

function outVal(v: unknown): unknown {
  return isDt(v) ? new Date(v.dt).toISOString() : v;
}
