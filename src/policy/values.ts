/**
 * Value semantics of the policy language: case-insensitive property lookup, path walking with `[*]`,
 * loose equality (strings ignore case; `"true"` equals `true`), ordering with type checks.
 * A missing value is `undefined` (JSON `null` is treated as missing, as Azure does for `exists`).
 */

export class PolicyEvalError extends Error {
  /** true when the value needs live Azure (or data the inventory lacks): reported, never guessed. */
  readonly notEvaluable: boolean;
  constructor(message: string, notEvaluable = false) {
    super(message);
    this.name = "PolicyEvalError";
    this.notEvaluable = notEvaluable;
  }
}

export const STAR = "*";

/** `properties.a.b[*].c` -> ["properties","a","b","*","c"]. */
export function parsePath(path: string): string[] {
  const out: string[] = [];
  for (const part of path.split(".")) {
    if (!part) continue;
    let rest = part;
    const i = rest.indexOf("[");
    if (i < 0) {
      out.push(rest);
      continue;
    }
    if (i > 0) out.push(rest.slice(0, i));
    rest = rest.slice(i);
    while (rest.startsWith("[*]")) {
      out.push(STAR);
      rest = rest.slice(3);
    }
    if (rest) out.push(rest);
  }
  return out;
}

/** Property of an object, exact key first, then case-insensitively; `undefined` when absent or null. */
export function getKey(o: unknown, k: string): unknown {
  if (o === null || typeof o !== "object" || Array.isArray(o)) return undefined;
  const rec = o as Record<string, unknown>;
  const v = rec[k];
  if (v !== undefined) return v === null ? undefined : v;
  const kl = k.toLowerCase();
  for (const key in rec) if (key.length === k.length && key.toLowerCase() === kl) return rec[key] ?? undefined;
  return undefined;
}

/** Walks a star-free path. */
export function walk(root: unknown, segs: readonly string[], from = 0): unknown {
  let v = root;
  for (let i = from; i < segs.length; i++) {
    v = getKey(v, segs[i]);
    if (v === undefined) return undefined;
  }
  return v;
}

/**
 * Selects the collection for a path with `[*]`: each `*` expands the members of an array (a missing or
 * non-array value selects nothing); a member lacking the rest of the path contributes `undefined`.
 */
export function select(root: unknown, segs: readonly string[], from: number, out: unknown[]): void {
  let v = root;
  for (let i = from; i < segs.length; i++) {
    const s = segs[i];
    if (s === STAR) {
      if (!Array.isArray(v)) return;
      for (const m of v) select(m === null ? undefined : m, segs, i + 1, out);
      return;
    }
    v = getKey(v, s);
    if (v === undefined) {
      // Only a missing value *after* the last star is a member; before it the collection is empty.
      if (segs.indexOf(STAR, i + 1) < 0) out.push(undefined);
      return;
    }
  }
  out.push(v);
}

export function typeName(v: unknown): string {
  if (v === undefined || v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/** Loose equality of the `equals` operator. */
export function looseEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  const ta = typeof a;
  const tb = typeof b;
  if (ta === "string" && tb === "string") {
    const x = a as string;
    const y = b as string;
    return x.length === y.length && x.toLowerCase() === y.toLowerCase();
  }
  if (ta === "object" || tb === "object") {
    if (ta !== "object" || tb !== "object") return false;
    if (Array.isArray(a) || Array.isArray(b)) {
      if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) if (!looseEquals(a[i], b[i])) return false;
      return true;
    }
    const ka = Object.keys(a as object);
    const kb = Object.keys(b as object);
    if (ka.length !== kb.length) return false;
    for (const k of ka) if (!looseEquals((a as Record<string, unknown>)[k], getKey(b, k))) return false;
    return true;
  }
  return String(a).toLowerCase() === String(b).toLowerCase();
}

/** Lower-cased string form for hashing in `in` sets, or undefined for objects/arrays. */
export function keyOf(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const t = typeof v;
  if (t === "string") return (v as string).toLowerCase();
  if (t === "number" || t === "boolean") return String(v).toLowerCase();
  return undefined;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Ordering for less/greater: numbers numerically, ISO dates by instant, other strings ordinally ignoring
 * case; a number against a numeric string numerically. Anything else is a type mismatch (evaluation error).
 */
export function compareValues(a: unknown, b: unknown): number {
  const ta = typeof a;
  const tb = typeof b;
  if (ta === "number" && tb === "number") return (a as number) - (b as number);
  if (ta === "number" && tb === "string" && isNumeric(b as string)) return (a as number) - Number(b);
  if (ta === "string" && tb === "number" && isNumeric(a as string)) return Number(a) - (b as number);
  if (ta === "string" && tb === "string") {
    const x = a as string;
    const y = b as string;
    if (ISO_DATE.test(x) && ISO_DATE.test(y)) {
      const dx = Date.parse(x);
      const dy = Date.parse(y);
      if (!Number.isNaN(dx) && !Number.isNaN(dy)) return dx - dy;
    }
    const lx = x.toLowerCase();
    const ly = y.toLowerCase();
    return lx < ly ? -1 : lx > ly ? 1 : 0;
  }
  throw new PolicyEvalError(`cannot compare ${typeName(a)} with ${typeName(b)}`);
}

function isNumeric(s: string): boolean {
  return s.trim() !== "" && Number.isFinite(Number(s));
}

/** Short printable form for traces. */
export function show(v: unknown, max = 80): string {
  if (v === undefined) return "(missing)";
  const s = typeof v === "string" ? `'${v}'` : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
