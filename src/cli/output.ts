import jmespath from "jmespath";
import { InputError } from "../domain/errors";

export type OutputFormat = "table" | "json" | "csv";

export interface ListingOptions {
  output?: string;
  query?: string;
}

/** Applies `--query` (JMESPath, as `az` does) to a listing. */
export function applyQuery(data: unknown, query?: string): unknown {
  if (!query) return data;
  try {
    return jmespath.search(data as never, query);
  } catch (e) {
    throw new InputError(`invalid --query expression: ${(e as Error).message}`, { field: "--query" });
  }
}

/** Renders rows as an aligned text table; nested values are shown compactly. */
export function renderTable(rows: unknown, columns?: string[]): string {
  const list = Array.isArray(rows) ? rows : [rows];
  if (list.length === 0) return "(no rows)\n";
  if (list.every((r) => r === null || typeof r !== "object")) return `${list.map(String).join("\n")}\n`;
  const cols = columns ?? unionKeys(list as Record<string, unknown>[]);
  const cells = (list as Record<string, unknown>[]).map((r) => cols.map((c) => cellText(r?.[c])));
  const widths = cols.map((c, i) => Math.min(60, Math.max(c.length, ...cells.map((row) => row[i].length))));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => (v.length > widths[i] ? `${v.slice(0, widths[i] - 1)}…` : v.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(cols), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n") + "\n";
}

/** RFC 4180 CSV; nested values serialized as JSON. */
export function renderCsv(rows: unknown, columns?: string[]): string {
  const list = (Array.isArray(rows) ? rows : [rows]) as Record<string, unknown>[];
  if (list.length === 0) return "";
  const cols = columns ?? unionKeys(list);
  const esc = (v: unknown) => {
    const s = v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(","), ...list.map((r) => cols.map((c) => esc(r?.[c])).join(","))].join("\n") + "\n";
}

export function render(data: unknown, opts: ListingOptions, tableColumns?: string[]): string {
  const result = applyQuery(data, opts.query);
  const fmt = (opts.output ?? "table") as OutputFormat;
  switch (fmt) {
    case "json":
      return `${JSON.stringify(result, null, 2)}\n`;
    case "csv":
      return renderCsv(result, opts.query ? undefined : tableColumns);
    case "table":
      return renderTable(result, opts.query ? undefined : tableColumns);
    default:
      throw new InputError(`unknown output format '${fmt}' (use table, json or csv)`, { field: "-o" });
  }
}

function unionKeys(rows: Record<string, unknown>[]): string[] {
  const keys = new Set<string>();
  for (const r of rows) if (r && typeof r === "object") for (const k of Object.keys(r)) keys.add(k);
  return [...keys];
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}
