import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { REPO_ROOT } from "../../src/testing/shared";

/**
 * KQL checks with Microsoft's own Kusto language service (@kusto/language-service-next, the parser and binder
 * behind the Kusto editors): syntax errors, unknown functions, and unknown columns against the schema of
 * AI_CSPMRecommendations_CL as Clarion writes it (the finding's fields in PascalCase plus TimeGenerated).
 */

export const TABLE = "AI_CSPMRecommendations_CL";

// biome-ignore lint/suspicious/noExplicitAny: the Bridge.NET output is untyped at this boundary
type Any = any;
let kusto: Any;

function load(): Any {
  if (kusto) return kusto;
  const require = createRequire(import.meta.url);
  require("@kusto/language-service-next/bridge.min.js");
  require("@kusto/language-service-next/Kusto.Language.Bridge.min.js");
  kusto = (globalThis as Any).Kusto.Language;
  return kusto;
}

/** Columns of the Sentinel row, derived from schemas/finding.schema.json (objects, arrays, nullable -> dynamic). */
export function sentinelColumns(): { name: string; type: string }[] {
  const schema = JSON.parse(readFileSync(join(REPO_ROOT, "schemas/finding.schema.json"), "utf8")) as {
    properties: Record<string, { type?: string | string[]; format?: string }>;
  };
  const cols = [{ name: "TimeGenerated", type: "datetime" }];
  for (const [k, v] of Object.entries(schema.properties)) {
    const t = v.type;
    const kql = t === "string" ? "string" : t === "number" ? "real" : t === "integer" ? "long" : t === "boolean" ? "bool" : "dynamic";
    cols.push({ name: k.charAt(0).toUpperCase() + k.slice(1), type: kql });
  }
  return cols;
}

let globals: Any;
function globalState(): Any {
  if (globals) return globals;
  const K = load();
  const S = K.Symbols;
  const schema = `(${sentinelColumns()
    .map((c) => `${c.name}:${c.type}`)
    .join(", ")})`;
  const table = new S.TableSymbol.$ctor7(TABLE, schema, "Clarion findings");
  const db = new S.DatabaseSymbol.ctor("workspace", [table]);
  const cluster = new S.ClusterSymbol.ctor("loganalytics", [db]);
  globals = K.GlobalState.Default.WithCluster(cluster).WithDatabase(db);
  return globals;
}

export interface KqlCheck {
  errors: string[];
  /** Output columns of the query (its last statement). */
  columns: string[];
}

export function checkKql(query: string): KqlCheck {
  const K = load();
  const code = K.KustoCode.ParseAndAnalyze(query, globalState());
  const d = code.GetDiagnostics();
  const errors: string[] = [];
  for (let i = 0; i < d.Count; i++) {
    const x = d.getItem(i);
    if (x.Severity === "Error") errors.push(`${x.Message} at ${x.Start}: ${JSON.stringify(query.slice(x.Start, x.Start + 30))}`);
  }
  const columns: string[] = [];
  const rt = code.ResultType;
  if (rt && rt.Columns) for (let i = 0; i < rt.Columns.Count; i++) columns.push(rt.Columns.getItem(i).Name);
  return { errors, columns };
}
