/**
 * ARM template expressions as policy rules use them: `[fn(arg, 'str', 1).prop[0]]`.
 * Parsed once, compiled to closures; pure sub-expressions (no field()/current()/resourceGroup()...) are
 * folded at compile time, so `[parameters('x')]` costs nothing per resource.
 */
import type { EvalCtx } from "./context";
import { getKey, PolicyEvalError, typeName } from "./values";

export type Ast =
  | { k: "lit"; v: unknown }
  | { k: "call"; name: string; args: Ast[] }
  | { k: "prop"; obj: Ast; name: string }
  | { k: "idx"; obj: Ast; index: Ast };

/** true when the string is a template expression (`[...]`, not the `[[` escape). */
export function isExpression(s: unknown): s is string {
  return typeof s === "string" && s.length >= 2 && s[0] === "[" && s[1] !== "[" && s[s.length - 1] === "]";
}

/** A literal string: `[[x]` escapes a leading bracket. */
export function unescapeLiteral(s: string): string {
  return s.startsWith("[[") ? s.slice(1) : s;
}

export function parseExpression(src: string): Ast {
  const text = src.slice(1, -1);
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`${msg} at position ${i + 1} of expression ${src.length > 120 ? `${src.slice(0, 117)}...` : src}`);
  };
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const primary = (): Ast => {
    ws();
    const ch = text[i];
    if (ch === "'") {
      let out = "";
      i++;
      for (;;) {
        if (i >= text.length) fail("unterminated string");
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            out += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        out += text[i++];
      }
      return { k: "lit", v: out };
    }
    if (ch !== undefined && /[-0-9]/.test(ch)) {
      const m = /^-?\d+(\.\d+)?/.exec(text.slice(i));
      if (!m) fail("bad number");
      i += m![0].length;
      return { k: "lit", v: Number(m![0]) };
    }
    const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i));
    if (!m) fail(ch === undefined ? "unexpected end" : `unexpected '${ch}'`);
    const name = m![0];
    i += name.length;
    ws();
    if (text[i] !== "(") fail(`expected '(' after ${name}`);
    i++;
    const args: Ast[] = [];
    ws();
    if (text[i] === ")") i++;
    else {
      for (;;) {
        args.push(expr());
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === ")") {
          i++;
          break;
        }
        fail("expected ',' or ')'");
      }
    }
    return { k: "call", name, args };
  };
  const expr = (): Ast => {
    let node = primary();
    for (;;) {
      ws();
      if (text[i] === ".") {
        i++;
        ws();
        const m = /^[A-Za-z_$@][A-Za-z0-9_$@-]*/.exec(text.slice(i));
        if (!m) fail("expected property name");
        i += m![0].length;
        node = { k: "prop", obj: node, name: m![0] };
      } else if (text[i] === "[") {
        i++;
        const index = expr();
        ws();
        if (text[i] !== "]") fail("expected ']'");
        i++;
        node = { k: "idx", obj: node, index };
      } else return node;
    }
  };
  const node = expr();
  ws();
  if (i < text.length) fail(`unexpected '${text[i]}'`);
  return node;
}

export type Fn = (c: EvalCtx) => unknown;
export interface Compiled {
  fn: Fn;
  /** set when the value is known at compile time */
  constant: boolean;
  value?: unknown;
}

/** What the rule compiler supplies for the context-dependent functions. */
export interface ExprHost {
  param(name: string): { value: unknown } | { error: string };
  /** template field('...'): returns a getter or an error message. */
  field(name: string): Fn | { error: string };
  /** current('name') / current(). */
  current(name: string | undefined): Fn | { error: string };
  error(message: string): void;
  warn(message: string): void;
}

/** Functions Azure does not allow in policy rules (outside a DINE deployment template). */
const DISALLOWED = new Set(
  [
    "copyIndex",
    "dateTimeFromEpoch",
    "dateTimeToEpoch",
    "deployment",
    "environment",
    "extensionResourceId",
    "lambda",
    "filter",
    "map",
    "reduce",
    "sort",
    "toObject",
    "listAccountSas",
    "listKeys",
    "listSecrets",
    "managementGroup",
    "newGuid",
    "pickZones",
    "providers",
    "reference",
    "resourceId",
    "subscriptionResourceId",
    "tenantResourceId",
    "managementGroupResourceId",
    "tenant",
    "variables",
  ].map((s) => s.toLowerCase()),
);
/** Functions that are valid but cannot be computed exactly offline. */
const NOT_EVALUABLE = new Set(["uniquestring", "guid", "uri", "datauri", "datauritostring", "uricomponent", "uricomponenttostring"]);

const DYNAMIC = new Set(["field", "current", "resourcegroup", "subscription", "utcnow", "requestcontext", "policy"]);

export function compileExpression(src: string, host: ExprHost): Compiled {
  let ast: Ast;
  try {
    ast = parseExpression(src);
  } catch (e) {
    host.error((e as Error).message);
    return { fn: () => undefined, constant: true, value: undefined };
  }
  return compileAst(ast, host);
}

function konst(value: unknown): Compiled {
  return { fn: () => value, constant: true, value };
}

export function compileAst(ast: Ast, host: ExprHost): Compiled {
  switch (ast.k) {
    case "lit":
      return konst(ast.v);
    case "prop": {
      const obj = compileAst(ast.obj, host);
      const name = ast.name;
      const f: Fn = (c) => property(obj.fn(c), name);
      return fold(f, obj.constant);
    }
    case "idx": {
      const obj = compileAst(ast.obj, host);
      const index = compileAst(ast.index, host);
      const f: Fn = (c) => indexInto(obj.fn(c), index.fn(c));
      return fold(f, obj.constant && index.constant);
    }
    case "call":
      return compileCall(ast.name, ast.args, host);
  }
}

function fold(f: Fn, constant: boolean): Compiled {
  if (!constant) return { fn: f, constant: false };
  try {
    return konst(f(undefined as unknown as EvalCtx));
  } catch (e) {
    // A constant that fails to evaluate fails at every evaluation: keep the error for run time.
    return { fn: f, constant: false };
  }
}

function property(o: unknown, name: string): unknown {
  if (o && typeof o === "object" && !Array.isArray(o)) {
    const rec = o as Record<string, unknown>;
    const nl = name.toLowerCase();
    for (const k in rec) if (k.toLowerCase() === nl) return rec[k];
    const why = (rec as { __missing?: (n: string) => string }).__missing;
    if (why) throw new PolicyEvalError(why(name), true);
  }
  throw new PolicyEvalError(`the language expression property '${name}' doesn't exist on ${typeName(o)}`);
}

function indexInto(o: unknown, i: unknown): unknown {
  if (Array.isArray(o) && typeof i === "number") {
    if (i < 0 || i >= o.length) throw new PolicyEvalError(`index ${i} is out of range (length ${o.length})`);
    return o[i];
  }
  if (o && typeof o === "object" && typeof i === "string") return property(o, i);
  throw new PolicyEvalError(`cannot index ${typeName(o)} with ${typeName(i)}`);
}

function compileCall(rawName: string, argAsts: Ast[], host: ExprHost): Compiled {
  const name = rawName.toLowerCase();
  if (DISALLOWED.has(name) || name.startsWith("list")) {
    host.error(`function '${rawName}' is not allowed in a policy rule`);
    return konst(undefined);
  }
  // Context-dependent functions.
  if (name === "parameters") {
    const a = argAsts[0];
    if (argAsts.length !== 1 || a.k !== "lit" || typeof a.v !== "string") {
      host.error("parameters() takes one literal parameter name");
      return konst(undefined);
    }
    const p = host.param(a.v);
    if ("error" in p) {
      host.error(p.error);
      return konst(undefined);
    }
    return konst(p.value);
  }
  if (name === "field" || name === "current") {
    const args = argAsts.map((x) => compileAst(x, host));
    if (args.length > 1 || (name === "field" && args.length !== 1)) {
      host.error(`${rawName}() takes ${name === "field" ? "one argument" : "zero or one argument"}`);
      return konst(undefined);
    }
    if (args.length === 1 && (!args[0].constant || typeof args[0].value !== "string")) {
      host.error(`${rawName}() needs a constant string argument`);
      return konst(undefined);
    }
    const arg = args.length ? (args[0].value as string) : undefined;
    const g = name === "field" ? host.field(arg as string) : host.current(arg);
    if (typeof g !== "function") {
      host.error(g.error);
      return konst(undefined);
    }
    return { fn: g, constant: false };
  }
  if (NOT_EVALUABLE.has(name)) {
    host.warn(`function '${rawName}' cannot be evaluated offline; conditions using it report 'errored'`);
    return {
      fn: () => {
        throw new PolicyEvalError(`${rawName}() cannot be evaluated offline`, true);
      },
      constant: false,
    };
  }
  const impl = FUNCTIONS[name];
  if (!impl) {
    host.error(`unknown function '${rawName}'`);
    return konst(undefined);
  }
  const [min, max] = impl.arity;
  if (argAsts.length < min || argAsts.length > max) {
    host.error(
      `${rawName}() takes ${min === max ? min : `${min} to ${max === 99 ? "any number of" : max}`} argument(s), got ${argAsts.length}`,
    );
    return konst(undefined);
  }
  if (name === "datetimeadd") host.warn("Azure documents dateTimeAdd() as not allowed in policy rules; use addDays()");
  const args = argAsts.map((x) => compileAst(x, host));
  const fns = args.map((a) => a.fn);
  let f: Fn;
  if (impl.lazy) {
    const lazy = impl.lazy;
    f = (c) => lazy(fns, c);
  } else {
    const call = impl.call!;
    const n = fns.length;
    if (n === 0) f = (c) => call([], c);
    else if (n === 1) f = (c) => call([fns[0](c)], c);
    else if (n === 2) f = (c) => call([fns[0](c), fns[1](c)], c);
    else
      f = (c) =>
        call(
          fns.map((g) => g(c)),
          c,
        );
  }
  const pure = !DYNAMIC.has(name) && args.every((a) => a.constant);
  return fold(f, pure);
}

interface FnImpl {
  arity: [number, number];
  call?: (a: unknown[], c: EvalCtx) => unknown;
  lazy?: (a: Fn[], c: EvalCtx) => unknown;
}

const str = (v: unknown, fn: string): string => {
  if (typeof v === "string") return v;
  throw new PolicyEvalError(`${fn}() expects a string, got ${typeName(v)}`);
};
const num = (v: unknown, fn: string): number => {
  if (typeof v === "number") return v;
  throw new PolicyEvalError(`${fn}() expects an integer, got ${typeName(v)}`);
};
const bool = (v: unknown, fn: string): boolean => {
  if (typeof v === "boolean") return v;
  throw new PolicyEvalError(`${fn}() expects a boolean, got ${typeName(v)}`);
};

function toStr(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "object") return JSON.stringify(v);
  if (typeof v === "boolean") return v ? "True" : "False";
  return String(v);
}

function deepEq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEq(x, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEq((a as Record<string, unknown>)[k], getKey(b, k)));
}

function ordered(a: unknown, b: unknown, fn: string): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  throw new PolicyEvalError(`${fn}() cannot compare ${typeName(a)} with ${typeName(b)}`);
}

function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined || v === "") return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === "object") return Object.keys(v).length === 0;
  return false;
}

/** utcNow() default format: yyyy-MM-ddTHH:mm:ss.fffffffZ */
export function isoTicks(ms: number): string {
  const s = new Date(ms).toISOString(); // yyyy-MM-ddTHH:mm:ss.sssZ
  return `${s.slice(0, 23)}0000Z`;
}

function formatDate(ms: number, fmt: string): string {
  const d = new Date(ms);
  const pad = (n: number, w: number) => String(n).padStart(w, "0");
  const map: Record<string, string> = {
    yyyy: pad(d.getUTCFullYear(), 4),
    MM: pad(d.getUTCMonth() + 1, 2),
    dd: pad(d.getUTCDate(), 2),
    HH: pad(d.getUTCHours(), 2),
    mm: pad(d.getUTCMinutes(), 2),
    ss: pad(d.getUTCSeconds(), 2),
  };
  if (fmt === "u") return `${map.yyyy}-${map.MM}-${map.dd} ${map.HH}:${map.mm}:${map.ss}Z`;
  if (fmt === "d") return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;
  let out = "";
  for (let i = 0; i < fmt.length; ) {
    const tok = ["yyyy", "MM", "dd", "HH", "mm", "ss"].find((t) => fmt.startsWith(t, i));
    if (tok) {
      out += map[tok];
      i += tok.length;
    } else if (fmt[i] === "f") {
      let n = 0;
      while (fmt[i] === "f") {
        n++;
        i++;
      }
      out += pad(d.getUTCMilliseconds(), 3).padEnd(n, "0").slice(0, n);
    } else if (/[a-zA-Z]/.test(fmt[i]) && fmt[i] !== "T" && fmt[i] !== "Z")
      throw new PolicyEvalError(`date format '${fmt}' is not supported offline`, true);
    else out += fmt[i++];
  }
  return out;
}

function parseDate(v: unknown, fn: string): number {
  const ms = Date.parse(str(v, fn));
  if (Number.isNaN(ms)) throw new PolicyEvalError(`${fn}(): '${String(v)}' is not a date`);
  return ms;
}

/** ISO-8601 duration (PnYnMnDTnHnMnS, PnW) added to a time. */
function addDuration(ms: number, dur: string): number {
  const m = /^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(dur);
  if (!m || dur === "P" || dur.endsWith("T")) throw new PolicyEvalError(`dateTimeAdd(): '${dur}' is not an ISO 8601 duration`);
  const sign = m[1] ? -1 : 1;
  const d = new Date(ms);
  d.setUTCFullYear(d.getUTCFullYear() + sign * Number(m[2] ?? 0));
  d.setUTCMonth(d.getUTCMonth() + sign * Number(m[3] ?? 0));
  const days = Number(m[4] ?? 0) * 7 + Number(m[5] ?? 0);
  const secs = Number(m[6] ?? 0) * 3600 + Number(m[7] ?? 0) * 60 + Number(m[8] ?? 0);
  return d.getTime() + sign * (days * 86400000 + secs * 1000);
}

function ipToBig(ip: string): { v: bigint; bits: number } {
  if (ip.includes(":")) {
    let parts = ip.split("::");
    if (parts.length > 2) throw new PolicyEvalError(`'${ip}' is not an IP address`);
    const head = parts[0] ? parts[0].split(":") : [];
    const tail = parts.length === 2 && parts[1] ? parts[1].split(":") : [];
    const fill = parts.length === 2 ? 8 - head.length - tail.length : 0;
    const groups = [...head, ...Array(fill).fill("0"), ...tail];
    if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) throw new PolicyEvalError(`'${ip}' is not an IP address`);
    parts = groups;
    return { v: groups.reduce((acc, g) => (acc << 16n) + BigInt(Number.parseInt(g, 16)), 0n), bits: 128 };
  }
  const o = ip.split(".");
  if (o.length !== 4 || o.some((x) => !/^\d{1,3}$/.test(x) || Number(x) > 255)) throw new PolicyEvalError(`'${ip}' is not an IP address`);
  return { v: o.reduce((acc, x) => (acc << 8n) + BigInt(Number(x)), 0n), bits: 32 };
}

function ipRange(r: string): { lo: bigint; hi: bigint; bits: number } {
  const s = r.trim();
  if (s.includes("-")) {
    const [a, b] = s.split("-").map((x) => ipToBig(x.trim()));
    if (a.bits !== b.bits) throw new PolicyEvalError(`'${r}' mixes IPv4 and IPv6`);
    return { lo: a.v, hi: b.v, bits: a.bits };
  }
  if (s.includes("/")) {
    const [ip, pfx] = s.split("/");
    const a = ipToBig(ip);
    const p = Number(pfx);
    if (!Number.isInteger(p) || p < 0 || p > a.bits) throw new PolicyEvalError(`'${r}' has a bad prefix length`);
    const hostBits = BigInt(a.bits - p);
    const mask = (1n << hostBits) - 1n;
    return { lo: a.v & ~mask, hi: (a.v & ~mask) | mask, bits: a.bits };
  }
  const a = ipToBig(s);
  return { lo: a.v, hi: a.v, bits: a.bits };
}

function union(args: unknown[]): unknown {
  if (args.every(Array.isArray)) {
    const out: unknown[] = [];
    for (const a of args as unknown[][]) for (const x of a) if (!out.some((y) => deepEq(x, y))) out.push(x);
    return out;
  }
  if (args.every((a) => a && typeof a === "object" && !Array.isArray(a))) return Object.assign({}, ...(args as object[]));
  throw new PolicyEvalError("union() needs all arrays or all objects");
}

function intersection(args: unknown[]): unknown {
  if (args.every(Array.isArray)) {
    const [first, ...rest] = args as unknown[][];
    const out: unknown[] = [];
    for (const x of first) if (rest.every((a) => a.some((y) => deepEq(x, y))) && !out.some((y) => deepEq(x, y))) out.push(x);
    return out;
  }
  if (args.every((a) => a && typeof a === "object" && !Array.isArray(a))) {
    const [first, ...rest] = args as Record<string, unknown>[];
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(first)) if (rest.every((o) => k in o && deepEq(o[k], v))) out[k] = v;
    return out;
  }
  throw new PolicyEvalError("intersection() needs all arrays or all objects");
}

const FUNCTIONS: Record<string, FnImpl> = {
  concat: {
    arity: [1, 99],
    call: (a) => {
      if (a.every((x) => Array.isArray(x) || x === null || x === undefined)) return (a as unknown[][]).flatMap((x) => x ?? []);
      return a.map((x) => (Array.isArray(x) ? JSON.stringify(x) : toStr(x))).join("");
    },
  },
  if: {
    arity: [3, 3],
    lazy: (a, c) => (bool(a[0](c), "if") ? a[1](c) : a[2](c)),
  },
  and: {
    arity: [1, 99],
    lazy: (a, c) => {
      for (const f of a) if (!bool(f(c), "and")) return false;
      return true;
    },
  },
  or: {
    arity: [1, 99],
    lazy: (a, c) => {
      for (const f of a) if (bool(f(c), "or")) return true;
      return false;
    },
  },
  not: { arity: [1, 1], call: (a) => !bool(a[0], "not") },
  equals: { arity: [2, 2], call: (a) => deepEq(a[0], a[1]) },
  less: { arity: [2, 2], call: (a) => ordered(a[0], a[1], "less") < 0 },
  lessorequals: { arity: [2, 2], call: (a) => ordered(a[0], a[1], "lessOrEquals") <= 0 },
  greater: { arity: [2, 2], call: (a) => ordered(a[0], a[1], "greater") > 0 },
  greaterorequals: { arity: [2, 2], call: (a) => ordered(a[0], a[1], "greaterOrEquals") >= 0 },
  tolower: { arity: [1, 1], call: (a) => str(a[0], "toLower").toLowerCase() },
  toupper: { arity: [1, 1], call: (a) => str(a[0], "toUpper").toUpperCase() },
  trim: { arity: [1, 1], call: (a) => str(a[0], "trim").trim() },
  split: {
    arity: [2, 2],
    call: (a) => {
      const s = str(a[0], "split");
      const delims = Array.isArray(a[1]) ? a[1].map((d) => str(d, "split")) : [str(a[1], "split")];
      let parts = [s];
      for (const d of delims) parts = parts.flatMap((p) => p.split(d));
      return parts;
    },
  },
  length: {
    arity: [1, 1],
    call: (a) => {
      const v = a[0];
      if (typeof v === "string" || Array.isArray(v)) return v.length;
      if (v && typeof v === "object") return Object.keys(v).length;
      if (v === null || v === undefined) return 0;
      throw new PolicyEvalError(`length() of ${typeName(v)}`);
    },
  },
  empty: { arity: [1, 1], call: (a) => isEmpty(a[0]) },
  first: {
    arity: [1, 1],
    call: (a) => {
      const v = a[0];
      if (typeof v === "string") return v.slice(0, 1);
      if (Array.isArray(v)) return v.length ? v[0] : null;
      throw new PolicyEvalError(`first() of ${typeName(v)}`);
    },
  },
  last: {
    arity: [1, 1],
    call: (a) => {
      const v = a[0];
      if (typeof v === "string") return v.slice(-1);
      if (Array.isArray(v)) return v.length ? v[v.length - 1] : null;
      throw new PolicyEvalError(`last() of ${typeName(v)}`);
    },
  },
  contains: {
    arity: [2, 2],
    call: (a) => {
      const [c, x] = a;
      if (typeof c === "string") return c.includes(toStr(x));
      if (Array.isArray(c)) return c.some((y) => deepEq(y, x));
      if (c && typeof c === "object")
        return getKey(c, toStr(x)) !== undefined || Object.keys(c).some((k) => k.toLowerCase() === toStr(x).toLowerCase());
      if (c === null || c === undefined) return false;
      throw new PolicyEvalError(`contains() of ${typeName(c)}`);
    },
  },
  substring: {
    arity: [1, 3],
    call: (a) => {
      const s = str(a[0], "substring");
      const start = a.length > 1 ? num(a[1], "substring") : 0;
      const len = a.length > 2 ? num(a[2], "substring") : s.length - start;
      if (start < 0 || len < 0 || start + len > s.length)
        throw new PolicyEvalError(`substring(): start ${start} and length ${len} are out of range for a string of length ${s.length}`);
      return s.substr(start, len);
    },
  },
  replace: { arity: [3, 3], call: (a) => str(a[0], "replace").split(str(a[1], "replace")).join(str(a[2], "replace")) },
  startswith: { arity: [2, 2], call: (a) => str(a[0], "startsWith").toLowerCase().startsWith(str(a[1], "startsWith").toLowerCase()) },
  endswith: { arity: [2, 2], call: (a) => str(a[0], "endsWith").toLowerCase().endsWith(str(a[1], "endsWith").toLowerCase()) },
  indexof: {
    arity: [2, 2],
    call: (a) => {
      if (Array.isArray(a[0])) return a[0].findIndex((y) => deepEq(y, a[1]));
      return str(a[0], "indexOf").toLowerCase().indexOf(str(a[1], "indexOf").toLowerCase());
    },
  },
  lastindexof: {
    arity: [2, 2],
    call: (a) => {
      if (Array.isArray(a[0])) {
        for (let i = a[0].length - 1; i >= 0; i--) if (deepEq(a[0][i], a[1])) return i;
        return -1;
      }
      return str(a[0], "lastIndexOf").toLowerCase().lastIndexOf(str(a[1], "lastIndexOf").toLowerCase());
    },
  },
  padleft: {
    arity: [2, 3],
    call: (a) => {
      const s = typeof a[0] === "number" ? String(a[0]) : str(a[0], "padLeft");
      const ch = a.length > 2 ? str(a[2], "padLeft") : " ";
      if (ch.length !== 1) throw new PolicyEvalError("padLeft() padding must be one character");
      return s.padStart(num(a[1], "padLeft"), ch);
    },
  },
  json: {
    arity: [1, 1],
    call: (a) => {
      try {
        return JSON.parse(str(a[0], "json"));
      } catch {
        throw new PolicyEvalError(`json(): not valid JSON: ${String(a[0]).slice(0, 60)}`);
      }
    },
  },
  string: { arity: [1, 1], call: (a) => toStr(a[0]) },
  int: {
    arity: [1, 1],
    call: (a) => {
      const v = a[0];
      if (typeof v === "number") return Math.trunc(v);
      if (typeof v === "string" && /^\s*[-+]?\d+\s*$/.test(v)) return Number.parseInt(v, 10);
      throw new PolicyEvalError(`int(): '${toStr(v)}' is not an integer`);
    },
  },
  float: {
    arity: [1, 1],
    call: (a) => {
      const n = typeof a[0] === "number" ? a[0] : Number(str(a[0], "float"));
      if (!Number.isFinite(n)) throw new PolicyEvalError(`float(): '${toStr(a[0])}' is not a number`);
      return n;
    },
  },
  bool: {
    arity: [1, 1],
    call: (a) => {
      const v = a[0];
      if (typeof v === "boolean") return v;
      if (typeof v === "number") return v !== 0;
      if (typeof v === "string" && /^(true|false)$/i.test(v)) return v.toLowerCase() === "true";
      throw new PolicyEvalError(`bool(): '${toStr(v)}' is not a boolean`);
    },
  },
  true: { arity: [0, 0], call: () => true },
  false: { arity: [0, 0], call: () => false },
  null: { arity: [0, 0], call: () => null },
  union: { arity: [1, 99], call: (a) => union(a) },
  intersection: { arity: [1, 99], call: (a) => intersection(a) },
  coalesce: { arity: [1, 99], call: (a) => a.find((x) => x !== null && x !== undefined) ?? null },
  trygetvalue: { arity: [2, 99], call: (a) => tryGet(a) },
  tryget: { arity: [2, 99], call: (a) => tryGet(a) },
  createarray: { arity: [0, 99], call: (a) => [...a] },
  array: { arity: [1, 1], call: (a) => (Array.isArray(a[0]) ? a[0] : [a[0]]) },
  createobject: {
    arity: [0, 99],
    call: (a) => {
      if (a.length % 2) throw new PolicyEvalError("createObject() needs key/value pairs");
      const o: Record<string, unknown> = {};
      for (let i = 0; i < a.length; i += 2) o[str(a[i], "createObject")] = a[i + 1];
      return o;
    },
  },
  base64: { arity: [1, 1], call: (a) => Buffer.from(str(a[0], "base64"), "utf8").toString("base64") },
  base64tostring: { arity: [1, 1], call: (a) => Buffer.from(str(a[0], "base64ToString"), "base64").toString("utf8") },
  base64tojson: { arity: [1, 1], call: (a) => JSON.parse(Buffer.from(str(a[0], "base64ToJson"), "base64").toString("utf8")) },
  add: { arity: [2, 2], call: (a) => num(a[0], "add") + num(a[1], "add") },
  sub: { arity: [2, 2], call: (a) => num(a[0], "sub") - num(a[1], "sub") },
  mul: { arity: [2, 2], call: (a) => num(a[0], "mul") * num(a[1], "mul") },
  div: {
    arity: [2, 2],
    call: (a) => {
      if (num(a[1], "div") === 0) throw new PolicyEvalError("div() by zero");
      return Math.trunc(num(a[0], "div") / (a[1] as number));
    },
  },
  mod: {
    arity: [2, 2],
    call: (a) => {
      if (num(a[1], "mod") === 0) throw new PolicyEvalError("mod() by zero");
      return num(a[0], "mod") % (a[1] as number);
    },
  },
  max: { arity: [1, 99], call: (a) => Math.max(...(Array.isArray(a[0]) ? a[0] : a).map((x) => num(x, "max"))) },
  min: { arity: [1, 99], call: (a) => Math.min(...(Array.isArray(a[0]) ? a[0] : a).map((x) => num(x, "min"))) },
  range: {
    arity: [2, 2],
    call: (a) => {
      const n = num(a[1], "range");
      if (n < 0 || n > 10000) throw new PolicyEvalError("range() count out of bounds");
      return Array.from({ length: n }, (_, i) => num(a[0], "range") + i);
    },
  },
  skip: {
    arity: [2, 2],
    call: (a) =>
      typeof a[0] === "string" ? a[0].slice(Math.max(0, num(a[1], "skip"))) : (a[0] as unknown[]).slice(Math.max(0, num(a[1], "skip"))),
  },
  take: {
    arity: [2, 2],
    call: (a) =>
      typeof a[0] === "string"
        ? a[0].slice(0, Math.max(0, num(a[1], "take")))
        : (a[0] as unknown[]).slice(0, Math.max(0, num(a[1], "take"))),
  },
  join: { arity: [2, 2], call: (a) => (a[0] as unknown[]).map(toStr).join(str(a[1], "join")) },
  objectkeys: { arity: [1, 1], call: (a) => Object.keys((a[0] ?? {}) as object) },
  format: {
    arity: [1, 99],
    call: (a) =>
      str(a[0], "format").replace(/\{(\d+)(:[^}]*)?\}/g, (_, i, spec) => {
        if (spec) throw new PolicyEvalError(`format() specifier '${spec}' is not supported offline`, true);
        return toStr(a[Number(i) + 1]);
      }),
  },
  utcnow: {
    arity: [0, 1],
    call: (a, c) => {
      const ms = Date.parse(c.env.now);
      return a.length ? formatDate(ms, str(a[0], "utcNow")) : isoTicks(ms);
    },
  },
  adddays: {
    arity: [2, 2],
    call: (a) => isoTicks(parseDate(a[0], "addDays") + num(a[1], "addDays") * 86400000),
  },
  datetimeadd: {
    arity: [2, 3],
    call: (a) => {
      const ms = addDuration(parseDate(a[0], "dateTimeAdd"), str(a[1], "dateTimeAdd"));
      return a.length > 2 ? formatDate(ms, str(a[2], "dateTimeAdd")) : isoTicks(ms);
    },
  },
  iprangecontains: {
    arity: [2, 2],
    call: (a) => {
      const r = ipRange(str(a[0], "ipRangeContains"));
      const t = ipRange(str(a[1], "ipRangeContains"));
      if (r.bits !== t.bits) throw new PolicyEvalError("ipRangeContains(): cannot mix IPv4 and IPv6");
      return t.lo >= r.lo && t.hi <= r.hi;
    },
  },
  requestcontext: {
    arity: [0, 0],
    call: (_a, c) => withMissing({ apiVersion: c.env.apiVersion }, (n) => `requestContext().${n} is only known during a live request`),
  },
  policy: { arity: [0, 0], call: (_a, c) => ({ ...c.env.policyInfo }) },
  subscription: {
    arity: [0, 0],
    call: (_a, c) => {
      const r = c.outer ?? c.r;
      const id = `/subscriptions/${r.subscriptionId}`;
      const rec = c.env.inventory?.container(id.toLowerCase());
      const base: Record<string, unknown> = { id, subscriptionId: r.subscriptionId };
      if (rec) {
        base.displayName = rec.raw.name ?? "";
        base.tenantId = rec.raw.tenantId ?? "";
      }
      return withMissing(base, (n) => `subscription().${n} is not in the inventory (export the resourcecontainers table)`);
    },
  },
  resourcegroup: {
    arity: [0, 0],
    call: (_a, c) => {
      const r = c.outer ?? c.r;
      if (!r.resourceGroup) throw new PolicyEvalError("resourceGroup() is not defined for a resource outside a resource group");
      const id = `/subscriptions/${r.subscriptionId}/resourceGroups/${r.resourceGroup}`;
      const rec = c.env.inventory?.container(id.toLowerCase());
      const base: Record<string, unknown> = { id, name: r.resourceGroup, type: "Microsoft.Resources/resourceGroups" };
      if (rec) {
        base.location = rec.raw.location;
        base.tags = rec.raw.tags ?? {};
        base.properties = rec.raw.properties ?? {};
        // The group's record is in the inventory: an unmanaged group has no managedBy (empty, not unknown).
        base.managedBy = rec.raw.managedBy ?? "";
      }
      return withMissing(base, (n) => `resourceGroup().${n} is not in the inventory (export the resourcecontainers table)`);
    },
  },
};

/** Marks an object whose absent properties are unknown offline (accessing one is 'not evaluable'). */
function withMissing(o: Record<string, unknown>, why: (n: string) => string): Record<string, unknown> {
  Object.defineProperty(o, "__missing", { value: why, enumerable: false });
  return o;
}

function tryGet(a: unknown[]): unknown {
  let v = a[0];
  for (const k of a.slice(1)) {
    if (Array.isArray(v) && typeof k === "number") v = v[k];
    else if (v && typeof v === "object" && typeof k === "string") v = getKey(v, k);
    else return null;
    if (v === undefined) return null;
  }
  return v;
}

export const KNOWN_FUNCTIONS = new Set([...Object.keys(FUNCTIONS), "parameters", "field", "current", ...NOT_EVALUABLE]);
