import { createHash } from "node:crypto";

/** JSON with object keys sorted and undefined members dropped, so equal content serializes (and hashes) equally. */
export function stableJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) {
    let out = "[";
    for (let i = 0; i < v.length; i++) out += (i ? "," : "") + stableJson(v[i]);
    return `${out}]`;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  let out = "{";
  let first = true;
  for (const k of keys) {
    const val = o[k];
    if (val === undefined) continue;
    out += `${first ? "" : ","}${JSON.stringify(k)}:${stableJson(val)}`;
    first = false;
  }
  return `${out}}`;
}

/** A short content hash (22 base64url characters of SHA-256) of `stableJson(v)`. */
export function contentHash(v: unknown): string {
  return shortHash(stableJson(v));
}

const shortHash = (text: string) => createHash("sha256").update(text).digest("base64url").slice(0, 22);

/**
 * `stableJson` for data that came from JSON (no Dates, Maps or other `toJSON` objects), in native
 * `JSON.stringify` with a key-sorting replacer: the same text, in about half the time on raw Azure rows.
 * (An object with an integer-like key cannot be re-ordered that way, since JavaScript lists such keys first:
 * that value goes through `stableJson`.)
 */
export function stableJsonOfParsed(v: unknown): string {
  let reorderable = true;
  const text = JSON.stringify(v, (_key: string, x: unknown) => {
    if (x === null || typeof x !== "object" || Array.isArray(x)) return x;
    const keys = Object.keys(x);
    let sorted = true;
    for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1] < keys[i];
    if (sorted) return x;
    const out: Record<string, unknown> = Object.create(null);
    for (const k of keys.sort()) {
      if (INTEGER_LIKE.test(k)) reorderable = false;
      out[k] = (x as Record<string, unknown>)[k];
    }
    return out;
  });
  return reorderable ? (text ?? "null") : stableJson(v);
}

const INTEGER_LIKE = /^(0|[1-9][0-9]*)$/;

/** `contentHash` of data that came from JSON (see `stableJsonOfParsed`); equal to `contentHash` there. */
export function contentHashOfParsed(v: unknown): string {
  return shortHash(stableJsonOfParsed(v));
}
