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
  return createHash("sha256").update(stableJson(v)).digest("base64url").slice(0, 22);
}
