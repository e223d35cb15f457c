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
        } else {
          // the run up to the next quote or backslash in one piece
          let j = i + 1;
          while (j < src.length && src[j] !== c && src[j] !== "\\") j++;
          s += src.slice(i, j);
          i = j;
        }
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
        return { k: "lit", v: new KqlDate(ms) };
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
type Fn = (row: Row) => unknown;

/** A KQL datetime value (milliseconds since the epoch). Only literals, ago() and todatetime() make one. */
export class KqlDate {
  constructor(readonly dt: number) {}
}
const isDt = (v: unknown): v is KqlDate => v instanceof KqlDate;

export function toStr(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "";
  if (isDt(v)) return new Date(v.dt).toISOString();
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function toDt(v: unknown): KqlDate | undefined {
  if (isDt(v)) return v;
  if (typeof v === "string") {
    const ms = parseIsoMs(v);
    return Number.isFinite(ms) ? new KqlDate(ms) : undefined;
  }
  return undefined;
}

/** Milliseconds of a datetime-comparable value (a datetime or an ISO string), else undefined. */
export function msOf(v: unknown): number | undefined {
  if (isDt(v)) return v.dt;
  if (typeof v === "string") {
    const ms = parseIsoMs(v);
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}

const digit = (s: string, i: number) => {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : Number.NaN;
};
const num = (s: string, i: number, n: number) => {
  let x = 0;
  for (let k = 0; k < n; k++) x = x * 10 + digit(s, i + k);
  return x;
};

/**
 * `Date.parse` for the canonical UTC form Azure writes (`YYYY-MM-DDTHH:MM:SS[.f{1,3}]Z`) without its generic
 * parser, which dominated every datetime filter; any other form goes to `Date.parse`. Same results
 * (`simulator.test.ts` checks it against Date.parse; years below 100 go to Date.parse, which Date.UTC would map to 19xx).
 */
export function parseIsoMs(s: string): number {
  const n = s.length;
  if ((n === 20 || (n >= 22 && n <= 24)) && s[4] === "-" && s[7] === "-" && s[10] === "T" && s[13] === ":" && s[16] === ":" && s[n - 1] === "Z" && (n === 20 || s[19] === ".")) {
    const y = num(s, 0, 4);
    const mo = num(s, 5, 2);
    const d = num(s, 8, 2);
    const h = num(s, 11, 2);
    const mi = num(s, 14, 2);
    const sec = num(s, 17, 2);
    const fd = n === 20 ? 0 : n - 21;
    const ms = fd ? num(s, 20, fd) * (fd === 1 ? 100 : fd === 2 ? 10 : 1) : 0;
    if (y >= 100 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && sec <= 59 && ms >= 0) return Date.UTC(y, mo - 1, d, h, mi, sec, ms);
  }
  return Date.parse(s);
}

function agoMs(spec: string, now: number): number {
  const m = /^(\d+(?:\.\d+)?)(d|h|m|s|ms)$/.exec(spec);
  if (!m) throw new KqlError(`invalid timespan ${spec}`);
  const mult = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 }[m[2] as "d"];
  return now - Number(m[1]) * mult;
}

/** Ordering of two values: datetimes by time, numbers numerically, else as strings; undefined when incomparable. */
function cmp(a: unknown, b: unknown): number | undefined {
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (isDt(a) || isDt(b)) {
    const x = msOf(a);
    const y = msOf(b);
    if (x === undefined || y === undefined) return undefined;
    return x - y;
  }
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (a === undefined || a === null || b === undefined || b === null) return undefined;
  const sa = toStr(a);
  const sb = toStr(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

const truthy = (v: unknown): boolean => v === true;

/** Reads `root.steps…` of a row (undefined where the path breaks off). */
export function pathFn(root: string, steps: (string | number)[]): Fn {
  if (steps.length === 0) return (row) => row[root];
  type O = Record<string | number, any> | null | undefined;
  if (steps.length === 1) {
    const [a] = steps;
    return (row) => (row[root] as O)?.[a];
  }
  if (steps.length === 2) {
    const [a, b] = steps;
    return (row) => (row[root] as O)?.[a]?.[b];
  }
  if (steps.length === 3) {
    const [a, b, c] = steps;
    return (row) => (row[root] as O)?.[a]?.[b]?.[c];
  }
  return (row) => {
    let v: unknown = row[root];
    for (const s of steps) {
      if (v === null || v === undefined) return undefined;
      v = (v as Record<string | number, unknown>)[s];
    }
    return v;
  };
}

const isLit = (e: Expr): e is { k: "lit"; v: unknown } => e.k === "lit";

/**
 * Compiles an expression into a closure once per query, so a scan does no per-row tree walking, literal
 * lower-casing or list building (what a real engine does before it touches the data).
 */
/** An expression as a function of one row (`where` semantics: the row matches when it returns true). */
export function compileExpr(e: Expr, now = Date.now()): (row: Row) => boolean {
  const f = compile(e, now);
  return (row) => truthy(f(row));
}

function compile(e: Expr, now: number): Fn {
  switch (e.k) {
    case "lit": {
      const v = e.v;
      return () => v;
    }
    case "path":
      return pathFn(e.root, e.steps);
    case "not": {
      const f = compile(e.e, now);
      return (row) => !truthy(f(row));
    }
    case "call": {
      if (e.fn === "ago") {
        const v = new KqlDate(agoMs(String((e.args[0] as { v: unknown }).v), now));
        return () => v;
      }
      const args = e.args.map((x) => compile(x, now));
      const a0 = args[0] ?? (() => undefined);
      switch (e.fn) {
        case "tostring":
          return (row) => toStr(a0(row));
        case "todatetime":
          return (row) => toDt(a0(row)) ?? null;
        case "tolower":
          return (row) => toStr(a0(row)).toLowerCase();
        case "toupper":
          return (row) => toStr(a0(row)).toUpperCase();
        case "coalesce":
          return (row) => {
            for (const f of args) {
              const x = f(row);
              if (x !== null && x !== undefined && x !== "") return x;
            }
            return null;
          };
        case "isempty":
          return (row) => {
            const x = a0(row);
            return x === null || x === undefined || x === "";
          };
        case "isnotempty":
          return (row) => {
            const x = a0(row);
            return !(x === null || x === undefined || x === "");
          };
        case "isnull":
          return (row) => {
            const x = a0(row);
            return x === null || x === undefined;
          };
        case "isnotnull":
          return (row) => {
            const x = a0(row);
            return !(x === null || x === undefined);
          };
      }
      throw new KqlError(`unsupported function ${e.fn}`);
    }
    case "in": {
      const l = compile(e.l, now);
      const ci = e.op.endsWith("~");
      const neg = e.op.startsWith("!");
      const norm = (v: unknown) => (ci ? toStr(v).toLowerCase() : toStr(v));
      if (e.list.every(isLit)) {
        const set = new Set(e.list.map((x) => norm((x as { v: unknown }).v)));
        return (row) => set.has(norm(l(row))) !== neg;
      }
      const items = e.list.map((x) => compile(x, now));
      return (row) => {
        const ls = norm(l(row));
        return items.some((f) => norm(f(row)) === ls) !== neg;
      };
    }
    case "bin": {
      const l = compile(e.l, now);
      const r = compile(e.r, now);
      if (e.op === "and") return (row) => truthy(l(row)) && truthy(r(row));
      if (e.op === "or") return (row) => truthy(l(row)) || truthy(r(row));
      // A literal right side is normalized once.
      const lit = isLit(e.r);
      const rv = lit ? (e.r as { v: unknown }).v : undefined;
      const lower = (f: Fn): ((row: Row) => string) => {
        if (lit) {
          const s = toStr(rv).toLowerCase();
          return () => s;
        }
        return (row) => toStr(f(row)).toLowerCase();
      };
      switch (e.op) {
        case "==":
          return (row) => {
            const a = l(row);
            const b = r(row);
            return isDt(a) || isDt(b) ? cmp(a, b) === 0 : a === b || (typeof b === "string" && a !== undefined && a !== null && toStr(a) === b);
          };
        case "!=":
          return (row) => {
            const a = l(row);
            const b = r(row);
            return !(isDt(a) || isDt(b) ? cmp(a, b) === 0 : toStr(a) === toStr(b));
          };
        case "=~":
        case "!~": {
          const eq = e.op === "=~";
          if (lit) {
            // Against a literal, without lower-casing every row: only U+0130 changes length when lower-cased
            // (1 -> 2 code units), so a candidate of another length can match only if it is shorter and holds one.
            const want = toStr(rv).toLowerCase();
            return (row) => {
              const a = l(row);
              const s = typeof a === "string" ? a : toStr(a);
              const hit = s.length === want.length ? s === want || s.toLowerCase() === want : s.length < want.length && s.includes("\u0130") && s.toLowerCase() === want;
              return hit === eq;
            };
          }
          const rl = lower(r);
          return (row) => (toStr(l(row)).toLowerCase() === rl(row)) === eq;
        }
        case "<":
        case "<=":
        case ">":
        case ">=": {
          const test = e.op === "<" ? (c: number) => c < 0 : e.op === "<=" ? (c: number) => c <= 0 : e.op === ">" ? (c: number) => c > 0 : (c: number) => c >= 0;
          if (lit && isDt(rv)) {
            // `x > datetime(...)`: compare milliseconds, no per-row allocation; todatetime(x) there means x's time.
            const y = rv.dt;
            const inner = e.l.k === "call" && e.l.fn === "todatetime" && e.l.args.length === 1 ? compile(e.l.args[0], now) : l;
            return (row) => {
              const x = msOf(inner(row));
              return x === undefined ? false : test(x - y);
            };
          }
          return (row) => {
            const c = cmp(l(row), r(row));
            return c === undefined ? false : test(c);
          };
        }
        case "contains":
        case "!contains": {
          const rl = lower(r);
          const want = e.op === "contains";
          return (row) => toStr(l(row)).toLowerCase().includes(rl(row)) === want;
        }
        case "startswith": {
          const rl = lower(r);
          return (row) => toStr(l(row)).toLowerCase().startsWith(rl(row));
        }
        case "endswith": {
          const rl = lower(r);
          return (row) => toStr(l(row)).toLowerCase().endsWith(rl(row));
        }
        case "has": {
          const re = (s: string) => new RegExp(`(^|[^a-z0-9])${s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^a-z0-9])`);
          if (lit) {
            const rx = re(toStr(rv).toLowerCase());
            return (row) => rx.test(toStr(l(row)).toLowerCase());
          }
          return (row) => re(toStr(r(row)).toLowerCase()).test(toStr(l(row)).toLowerCase());
        }
      }
      throw new KqlError(`unsupported operator ${e.op}`);
    }
  }
}

export interface KqlResult {
  rows: Row[];
  /** True when the query ends in limit/take (ARG then returns no $skipToken). */
  limited: boolean;
  /** True when every projected column is dynamic (ARG then cannot page). */
  allDynamic: boolean;
}

const DYNAMIC_ROOTS = new Set(["properties", "tags", "sku", "plan", "identity", "zones", "extendedLocation"]);

/** Runs a parsed query over rows (which are not modified). Expressions are compiled once per call. */
export function runKql(q: Query, rows: Row[], now = Date.now()): KqlResult {
  let cur: Row[] = rows;
  let limited = false;
  let allDynamic = false;
  for (const op of q.ops) {
    if (op.k === "where") {
      const f = compile(op.e, now);
      cur = cur.filter((r) => truthy(f(r)));
    } else if (op.k === "extend") {
      const cols = op.cols.map((c) => ({ name: c.name, f: compile(c.e, now) }));
      cur = cur.map((r) => {
        const o = { ...r };
        for (const c of cols) o[c.name] = outVal(c.f(r));
        return o;
      });
    } else if (op.k === "project") {
      const cols = op.cols.map((c) => ({ name: c.name, f: compile(c.e, now) }));
      cur = cur.map((r) => {
        const o: Row = {};
        for (const c of cols) o[c.name] = outVal(c.f(r));
        return o;
      });
      allDynamic = op.cols.every((c) => c.e.k === "path" && DYNAMIC_ROOTS.has(c.e.root));
    } else if (op.k === "order") {
      const fs = op.keys.map((k) => compile(k.e, now));
      const desc = op.keys.map((k) => k.desc);
      const keyed = cur.map((r) => ({ r, ks: fs.map((f) => f(r)) }));
      keyed.sort((a, b) => {
        for (let i = 0; i < fs.length; i++) {
          const x = a.ks[i];
          const y = b.ks[i];
          const c = cmp(x, y) ?? (x == null ? (y == null ? 0 : -1) : 1);
          if (c !== 0) return desc[i] ? -c : c;
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
