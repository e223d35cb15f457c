import { readFileSync } from "node:fs";
import { InputError } from "../domain/errors";

/**
 * Reads Azure Resource Graph results for what-if: `{data:[...]}` (REST / `az graph query`), `{value:[...]}`,
 * a JSON array, or NDJSON (one row per line). Rows need at least `id` and `type`; others are reported.
 */
export function readArgFile(file: string): Record<string, unknown>[] {
  const text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  return parseArgText(text, file);
}

export function parseArgText(text: string, file = "(input)"): Record<string, unknown>[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  let rows: unknown[];
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch {
      return ndjson(trimmed, file);
    }
    if (Array.isArray(doc)) rows = doc;
    else {
      const o = doc as Record<string, unknown>;
      if (Array.isArray(o.data)) rows = o.data;
      else if (o.data && typeof o.data === "object" && Array.isArray((o.data as { rows?: unknown }).rows))
        throw new InputError("ARG table format (columns/rows) is not supported; use resultFormat objectArray", { file });
      else if (Array.isArray(o.value)) rows = o.value;
      else if (typeof o.id === "string") rows = [o];
      else throw new InputError("expected ARG results ({data:[...]}, a JSON array, or NDJSON)", { file });
    }
  } else return ndjson(trimmed, file);
  return rows.map((r, i) => check(r, file, { index: i }));
}

function ndjson(text: string, file: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  text.split("\n").forEach((line, i) => {
    const l = line.trim();
    if (!l) return;
    let v: unknown;
    try {
      v = JSON.parse(l);
    } catch (e) {
      throw new InputError(`not JSON: ${(e as Error).message}`, { file, line: i + 1 });
    }
    out.push(check(v, file, { line: i + 1 }));
  });
  return out;
}

function check(v: unknown, file: string, where: { index?: number; line?: number }): Record<string, unknown> {
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new InputError("a row must be an object", { file, ...where });
  const o = v as Record<string, unknown>;
  if (typeof o.id !== "string" || !o.id) throw new InputError("row has no id", { file, ...where, field: "id" });
  if (typeof o.type !== "string" || !o.type) throw new InputError("row has no type", { file, ...where, field: "type" });
  return o;
}
