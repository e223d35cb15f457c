import { createHash } from "node:crypto";

/** JSON with object keys sorted and undefined members dropped, so equal content serializes (and hashes) equally. */
export function stableJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
    .join(",")}}`;
}

/** A short content hash (22 base64url characters of SHA-256) of `stableJson(v)`. */
export function contentHash(v: unknown): string {
  return createHash("sha256").update(stableJson(v)).digest("base64url").slice(0, 22);
}
