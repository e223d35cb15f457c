/**
 * SARIF 2.1.0 for Azure Policy definitions checked by `clarion policy validate -o json` and `clarion policy whatif -o json`.
 * Each validation error becomes an `error` result located at the JSON pointer's line in the file; a what-if that would
 * deny, modify or deploy on existing resources becomes a `warning` (or `note` for audit effects) on the policy's
 * `then.effect`. Used by the GitHub Action and the Azure DevOps task (integrations/policy-ci.ts).
 */
import { readFileSync } from "node:fs";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

export interface ValidateRow {
  file: string;
  valid: boolean;
  errors: { pointer: string; message: string }[];
  warnings: string[];
  notEvaluable?: string | null;
}

export interface WhatIfSummary {
  file: string;
  effect: string;
  evaluated: number;
  counts: { compliant: number; noncompliant: number; notApplicable: number; errored: number };
  impact: { effect: string; action: string; count: number };
  complianceDelta?: { compliancePercent: number | null };
  error?: string;
}

const RULES = [
  { id: "CLARION-POLICY-INVALID", name: "PolicyDefinitionInvalid", short: "The policy definition does not validate", level: "error" },
  { id: "CLARION-POLICY-WARNING", name: "PolicyDefinitionWarning", short: "The policy definition validates with a warning", level: "warning" },
  { id: "CLARION-POLICY-NOT-EVALUABLE", name: "PolicyNotEvaluableOffline", short: "Clarion cannot evaluate the policy offline", level: "note" },
  { id: "CLARION-POLICY-IMPACT", name: "PolicyWhatIfImpact", short: "Assigning the policy would act on existing resources", level: "warning" },
] as const;

/** Line (1-based) and column of the value a JSON pointer names; {line:1,column:1} when it cannot be found. */
export function locatePointer(text: string, pointer: string): { line: number; column: number } {
  const want = pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const skip = (): void => {
    ws();
    const c = text[i];
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (c === "{") {
          str();
          ws();
          i++; // :
        }
        skip();
        ws();
        if (text[i++] === close) return;
      }
    } else if (c === '"') str();
    else while (i < text.length && !/[,}\]\s]/.test(text[i])) i++;
  };
  // walk down the pointer
  for (const seg of want) {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      let found = false;
      for (;;) {
        ws();
        if (text[i] === "}") break;
        const key = str();
        ws();
        i++; // :
        ws();
        if (key === seg) {
          found = true;
          break;
        }
        skip();
        ws();
        if (text[i] === ",") i++;
      }
      if (!found) break;
    } else if (c === "[") {
      i++;
      const n = Number(seg);
      let k = 0;
      let found = false;
      for (;;) {
        ws();
        if (text[i] === "]") break;
        if (k === n) {
          found = true;
          break;
        }
        skip();
        ws();
        if (text[i] === ",") i++;
        k++;
      }
      if (!found) break;
    } else break;
  }
  ws();
  const before = text.slice(0, Math.min(i, text.length));
  const line = before.split("\n").length;
  const column = i - before.lastIndexOf("\n");
  return { line, column };
}

function fileText(file: string): string {
  try {
    return readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  } catch {
    return "";
  }
}

/** Finds `then.effect` under the policy's rule, in any of the shapes Clarion accepts. */
function effectPointer(text: string): string {
  try {
    const doc = JSON.parse(text) as Record<string, unknown>;
    if ((doc.properties as Record<string, unknown> | undefined)?.policyRule) return "/properties/policyRule/then/effect";
    return "/policyRule/then/effect";
  } catch {
    return "";
  }
}

function uri(file: string, root: string): string {
  const rel = root && file.startsWith(root) ? file.slice(root.length).replace(/^[/\\]+/, "") : file;
  return rel.replace(/\\/g, "/");
}

export function toSarif(validate: ValidateRow[], whatifs: WhatIfSummary[] = [], opts: { root?: string; version?: string } = {}): Record<string, unknown> {
  const root = opts.root ?? "";
  const results: Record<string, unknown>[] = [];
  const at = (file: string, pointer: string) => {
    const text = fileText(file);
    const { line, column } = text ? locatePointer(text, pointer) : { line: 1, column: 1 };
    return [{ physicalLocation: { artifactLocation: { uri: uri(file, root) }, region: { startLine: line, startColumn: column } } }];
  };
  for (const v of validate) {
    for (const e of v.errors)
      results.push({ ruleId: RULES[0].id, ruleIndex: 0, level: "error", message: { text: `${e.pointer || "/"}: ${e.message}` }, locations: at(v.file, e.pointer) });
    for (const w of v.warnings) results.push({ ruleId: RULES[1].id, ruleIndex: 1, level: "warning", message: { text: w }, locations: at(v.file, "") });
    if (v.valid && v.notEvaluable) results.push({ ruleId: RULES[2].id, ruleIndex: 2, level: "note", message: { text: v.notEvaluable }, locations: at(v.file, "") });
  }
  for (const w of whatifs) {
    if (w.error) {
      results.push({ ruleId: RULES[2].id, ruleIndex: 2, level: "note", message: { text: `what-if not run: ${w.error}` }, locations: at(w.file, "") });
      continue;
    }
    if (w.impact.count === 0) continue;
    const e = w.effect.toLowerCase();
    const level = e === "audit" || e === "auditifnotexists" ? "note" : "warning";
    const pct = w.complianceDelta?.compliancePercent;
    results.push({
      ruleId: RULES[3].id,
      ruleIndex: 3,
      level,
      message: {
        text: `${w.impact.count} existing resource(s) ${w.impact.action} (effect ${w.effect}; ${w.evaluated} evaluated, ${w.counts.compliant} compliant${pct === null || pct === undefined ? "" : `, ${pct}% compliant once assigned`})`,
      },
      locations: at(w.file, effectPointer(fileText(w.file))),
      properties: { counts: w.counts },
    });
  }
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "Clarion policy",
            version: opts.version ?? "0.1.0",
            rules: RULES.map((r) => ({ id: r.id, name: r.name, shortDescription: { text: r.short }, defaultConfiguration: { level: r.level } })),
          },
        },
        results,
      },
    ],
  };
}
