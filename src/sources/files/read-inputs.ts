import { closeSync, openSync, readFileSync, readSync, readdirSync, statSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { InputError } from "../../domain/errors";
import { forEachLine } from "../../pipeline/fast-ingest";
import type { RawRow, RowOrigin } from "../../pipeline/normalize";
import { parseCsv } from "./csv";
import { findTopLevelArray, lineAt, scanJsonArray } from "./json-scan";

/**
 * Reads exported files and yields raw rows, auto-detecting the format:
 * - Azure Resource Graph results: `{data:[...]}` (REST / `az graph query`), a JSON array, or NDJSON, rows of the
 *   resources, resourcecontainers, securityresources and authorizationresources tables;
 * - `az` CLI JSON (`az security assessment list`, `az monitor activity-log list`) and ARM list pages (`{value:[...]}`);
 * - Log Analytics query results (`{tables:[{columns, rows}]}`) of SecurityRecommendation, SecurityAlert, AzureActivity;
 * - CSV exports of SecurityRecommendation, SecurityAlert and AzureActivity.
 * A bad element, line or record is reported with its file and line; the rest still goes through.
 */
export interface FileRows {
  rows: RawRow[];
  unreadable: { origin: RowOrigin; reason: string }[];
  formats: Record<string, string>;
}

export function expandInputs(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new InputError(`input not found: ${p}`, { file: p });
    }
    if (st.isDirectory()) {
      for (const f of readdirSync(p).sort()) if (/\.(json|ndjson|jsonl|csv)$/i.test(f)) out.push(join(p, f));
    } else out.push(p);
  }
  return out;
}

export function readInputs(paths: string[]): FileRows {
  const result: FileRows = { rows: [], unreadable: [], formats: {} };
  for (const file of expandInputs(paths)) readOne(file, result);
  return result;
}

function readOne(file: string, out: FileRows): void {
  const ext = extname(file).toLowerCase();
  // NDJSON is read in chunks, line by line on the bytes: no whole-file string (V8 caps strings at ~512 MiB)
  if ((ext === ".ndjson" || ext === ".jsonl") && !looksLikeCsv(readHead(file))) return readNdjsonFile(file, out);
  const text = readFileSync(file, "utf8");
  const trimmed = text.trimStart();
  if (ext === ".csv" || looksLikeCsv(trimmed)) return readCsv(file, text, out);
  if (ext === ".ndjson" || ext === ".jsonl" || looksLikeNdjson(trimmed)) return readNdjson(file, text, out);
  readJson(file, text, out);
}

function looksLikeCsv(text: string): boolean {
  const t = text.trimStart();
  return !t.startsWith("{") && !t.startsWith("[") && /^[\w" ]+,/.test(t);
}

function readHead(file: string): string {
  const fd = openSync(file, "r");
  try {
    const b = Buffer.alloc(4096);
    return b.toString("utf8", 0, readSync(fd, b, 0, b.length, 0));
  } finally {
    closeSync(fd);
  }
}

function looksLikeNdjson(t: string): boolean {
  if (!t.startsWith("{")) return false;
  const firstNl = t.indexOf("\n");
  if (firstNl < 0) return false;
  try {
    JSON.parse(t.slice(0, firstNl));
    return true;
  } catch {
    return false;
  }
}

function readNdjsonFile(file: string, out: FileRows): void {
  out.formats[file] = "ndjson";
  forEachLine(file, 0, Number.MAX_SAFE_INTEGER, (buf, start, end, line) => {
    const l = buf.toString("utf8", start, end);
    if (!l.trim()) return;
    try {
      out.rows.push({ row: JSON.parse(l), origin: { file, line } });
    } catch (e) {
      out.unreadable.push({ origin: { file, line }, reason: `malformed JSON: ${(e as Error).message}` });
    }
  });
}

function readNdjson(file: string, text: string, out: FileRows): void {
  out.formats[file] = "ndjson";
  const lines = text.split(/\r?\n/);
  lines.forEach((l, i) => {
    if (!l.trim()) return;
    try {
      out.rows.push({ row: JSON.parse(l), origin: { file, line: i + 1 } });
    } catch (e) {
      out.unreadable.push({ origin: { file, line: i + 1 }, reason: `malformed JSON: ${(e as Error).message}` });
    }
  });
}

function readJson(file: string, text: string, out: FileRows): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    // Salvage what we can from a truncated or partly malformed export.
    return salvage(file, text, out, (e as Error).message);
  }
  if (Array.isArray(doc)) {
    out.formats[file] = "json-array";
    doc.forEach((row, index) => out.rows.push({ row, origin: { file, index } }));
    return;
  }
  if (doc && typeof doc === "object") {
    const o = doc as Record<string, unknown>;
    if (Array.isArray(o.tables)) return readLogAnalytics(file, o.tables as unknown[], out);
    for (const key of ["data", "value"]) {
      if (Array.isArray(o[key])) {
        out.formats[file] = key === "data" ? "arg-results" : "arm-list";
        (o[key] as unknown[]).forEach((row, index) => out.rows.push({ row, origin: { file, index } }));
        return;
      }
    }
    out.formats[file] = "json-object";
    out.rows.push({ row: o, origin: { file, index: 0 } });
    return;
  }
  out.unreadable.push({ origin: { file }, reason: "JSON document is neither an object nor an array" });
}

function salvage(file: string, text: string, out: FileRows, parseError: string): void {
  const t = text.trimStart();
  const offset = text.length - t.length;
  const start = t.startsWith("[") ? offset : (["data", "value"].map((k) => findTopLevelArray(text, k)).find((i) => i >= 0) ?? -1);
  if (start < 0) {
    const pos = Number(/position (\d+)/.exec(parseError)?.[1]);
    out.unreadable.push({
      origin: { file, line: Number.isFinite(pos) ? lineAt(text, pos) : undefined },
      reason: `malformed JSON: ${parseError}`,
    });
    out.formats[file] = "unreadable";
    return;
  }
  out.formats[file] = "json-array (salvaged)";
  const scan = scanJsonArray(text, start);
  scan.elements.forEach((el, index) => {
    try {
      out.rows.push({ row: JSON.parse(el.text), origin: { file, line: el.line, index } });
    } catch (e) {
      out.unreadable.push({ origin: { file, line: el.line, index }, reason: `malformed JSON element: ${(e as Error).message}` });
    }
  });
  if (scan.truncated)
    out.unreadable.push({
      origin: { file, line: scan.truncated.line },
      reason: "file is truncated: the array never closes; the last element is incomplete",
    });
}

type TableKind = "SecurityRecommendation" | "SecurityAlert" | "AzureActivity";

function detectTable(columns: string[]): TableKind | undefined {
  const has = (c: string) => columns.includes(c);
  if (has("RecommendationName") || has("RecommendationState")) return "SecurityRecommendation";
  if (has("AlertName") || has("AlertSeverity")) return "SecurityAlert";
  if (has("OperationNameValue") || (has("EventDataId") && has("Caller"))) return "AzureActivity";
  return undefined;
}

const DYNAMIC = new Set([
  "Properties",
  "Properties_d",
  "Claims_d",
  "Authorization_d",
  "RecommendationAdditionalData",
  "Entities",
  "ExtendedProperties",
]);

function readLogAnalytics(file: string, tables: unknown[], out: FileRows): void {
  out.formats[file] = "log-analytics";
  tables.forEach((tbl, ti) => {
    const t = tbl as { name?: string; columns?: { name: string; type?: string }[]; rows?: unknown[][] };
    const cols = (t.columns ?? []).map((c) => c.name);
    const kind = detectTable(cols);
    (t.rows ?? []).forEach((r, ri) => {
      const origin = { file, index: ri, line: undefined, field: undefined } as RowOrigin;
      if (!Array.isArray(r)) {
        out.unreadable.push({ origin, reason: `table ${t.name ?? ti}: row is not an array` });
        return;
      }
      const obj: Record<string, unknown> = {};
      cols.forEach((c, i) => {
        const v = r[i];
        obj[c] = DYNAMIC.has(c) && typeof v === "string" ? tryJson(v) : v;
      });
      pushTableRow(kind, obj, origin, out);
    });
  });
}

function readCsv(file: string, text: string, out: FileRows): void {
  const { records, errors } = parseCsv(text);
  for (const e of errors) out.unreadable.push({ origin: { file, line: e.line }, reason: e.reason });
  if (!records.length) return;
  const header = records[0].fields.map((h) => h.trim());
  const kind = detectTable(header);
  out.formats[file] = `csv:${kind ?? "unknown"}`;
  for (const rec of records.slice(1)) {
    const origin = { file, line: rec.line };
    if (rec.fields.length !== header.length) {
      out.unreadable.push({ origin, reason: `expected ${header.length} fields, found ${rec.fields.length}` });
      continue;
    }
    const obj: Record<string, unknown> = {};
    header.forEach((h, i) => {
      const v = rec.fields[i];
      obj[h] = DYNAMIC.has(h) && v.startsWith("{") ? tryJson(v) : v === "" ? undefined : v;
    });
    pushTableRow(kind, obj, origin, out);
  }
}

function pushTableRow(kind: TableKind | undefined, obj: Record<string, unknown>, origin: RowOrigin, out: FileRows): void {
  switch (kind) {
    case "SecurityRecommendation":
      out.rows.push({ hint: "assessment", row: recommendationRowToAssessment(obj), origin });
      return;
    case "SecurityAlert":
      out.rows.push({ hint: "alert", row: obj, origin });
      return;
    case "AzureActivity":
      out.rows.push({ hint: "activity", row: obj, origin });
      return;
    default:
      out.rows.push({ row: obj, origin });
  }
}

/** A SecurityRecommendation table row as an assessment (REST shape), so one normalizer handles both. */
export function recommendationRowToAssessment(o: Record<string, unknown>): Record<string, unknown> {
  const resourceId = String(o.AssessedResourceId ?? "");
  const key = String(o.RecommendationName ?? "");
  return {
    id: resourceId && key ? `${resourceId}/providers/Microsoft.Security/assessments/${key}` : undefined,
    name: key,
    type: "Microsoft.Security/assessments",
    properties: {
      resourceDetails: { source: "Azure", id: resourceId },
      displayName: o.RecommendationDisplayName,
      status: { code: o.RecommendationState, firstEvaluationDate: o.FirstEvaluationDate, statusChangeDate: o.StatusChangeDate },
      metadata: {
        displayName: o.RecommendationDisplayName,
        severity: o.RecommendationSeverity,
        policyDefinitionId: o.PolicyDefinitionId || undefined,
        description: o.Description,
      },
    },
  };
}

function tryJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

export function describeFormats(formats: Record<string, string>): string {
  return Object.entries(formats)
    .map(([f, k]) => `${basename(f)}: ${k}`)
    .join(", ");
}
