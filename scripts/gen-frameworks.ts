/**
 * Derives Clarion's framework data files (frameworks/<id>.json) from the real built-in regulatory
 * initiatives in ../shared/realdata/azure-policy: for each framework, its control ids and which built-in
 * policy definitions map to each control (facts, reshaped into our own format). NIST titles come from the
 * NIST SP 800-53 r5 catalog in ../shared/realdata/ctid-attack-nist80053-mappings.
 *
 * Run: npx tsx scripts/gen-frameworks.ts
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FRAMEWORK_SOURCES, frameworkFamily } from "../src/compliance/framework-sources";
import { ownControlTitle } from "../src/compliance/titles";
import { REPO_ROOT, realdata } from "../src/testing/shared";

function nistTitles(): Map<string, string> {
  const tsv = readFileSync(realdata("ctid-attack-nist80053-mappings/controls/nist800-53-r5-controls.tsv"), "utf8");
  const titles = new Map<string, string>();
  // Rows are tab-separated; quoted cells may span lines, but the id and name are the first two cells of a row.
  for (const line of tsv.split("\n")) {
    const m = /^([A-Z]{2}-\d+(?:\(\d+\))?)\t([^\t"]+)\t/.exec(line);
    if (m) titles.set(m[1], m[2].trim());
  }
  return titles;
}

const nist = nistTitles();
const mappedPolicies = new Set<string>();
for (const src of FRAMEWORK_SOURCES) {
  const doc = JSON.parse(readFileSync(realdata("azure-policy/policySetDefinitions", src.initiativeFile), "utf8").replace(/^\uFEFF/, ""));
  const p = doc.properties;
  const controlIds = new Set<string>();
  for (const g of p.policyDefinitionGroups ?? []) {
    const id = src.controlId(g.name);
    if (id) controlIds.add(id);
  }
  const policies: Record<string, string[]> = {};
  const references: Record<string, string> = {};
  for (const ref of p.policyDefinitions ?? []) {
    const guid = String(ref.policyDefinitionId).split("/").pop()?.toLowerCase() ?? "";
    if (ref.policyDefinitionReferenceId) references[ref.policyDefinitionReferenceId] = guid;
    const ids = (ref.groupNames ?? []).map((g: string) => src.controlId(g)).filter(Boolean) as string[];
    if (!ids.length) continue;
    policies[guid] = [...new Set([...(policies[guid] ?? []), ...ids])].sort();
    for (const id of ids) controlIds.add(id);
    mappedPolicies.add(guid);
  }
  const controls = [...controlIds].sort(compareControlIds).map((controlId) => {
    const title = src.id.startsWith("nist-800-53") ? nist.get(controlId) : ownControlTitle(src.id, controlId);
    return title ? { controlId, title } : { controlId };
  });
  const out = {
    id: src.id,
    name: src.name,
    version: src.version,
    family: frameworkFamily(src.id),
    initiative: {
      id: doc.id ?? `/providers/Microsoft.Authorization/policySetDefinitions/${doc.name}`,
      displayName: p.displayName,
      version: p.version,
    },
    derivedFrom: `azure-policy/policySetDefinitions/${src.initiativeFile}`,
    controls,
    policies,
    /** Initiative policyDefinitionReferenceId -> policy GUID (resolves Azure policy exemptions' reference ids). */
    references,
  };
  writeFileSync(join(REPO_ROOT, "frameworks", `${src.id}.json`), `${JSON.stringify(out)}\n`);
  console.log(`${src.id}: ${controls.length} controls, ${Object.keys(policies).length} mapped policies`);
}

writePolicyIndex(mappedPolicies);

/**
 * frameworks/_meta/policies.json: for every policy the frameworks map, the facts gap analysis needs —
 * display name, category, the effects an assignment may choose, whether it is a manual attestation or a
 * Microsoft-managed control (no customer resource is evaluated), and the Defender assessment key it feeds.
 */
function writePolicyIndex(guids: Set<string>): void {
  const assessmentKey = new Map<string, string>();
  for (const line of readFileSync(realdata("azure-policy/derived/policy-to-defender-assessment.jsonl"), "utf8").split("\n")) {
    if (!line.trim()) continue;
    const o = JSON.parse(line);
    assessmentKey.set(String(o.policyDefinitionId).split("/").pop()?.toLowerCase() ?? "", o.assessmentKey);
  }
  const index: Record<
    string,
    {
      name: string;
      category: string;
      effects: string[];
      effectParameter?: string;
      kind: "automated" | "manual" | "microsoft-managed";
      deprecated?: true;
      assessmentKey?: string;
    }
  > = {};
  for (const line of readFileSync(realdata("azure-policy/policyDefinitions.jsonl"), "utf8").split("\n")) {
    if (!line.trim()) continue;
    const o = JSON.parse(line);
    if (o.folder === "Azure Government") continue;
    const def = o.definition;
    const guid = String(def.name).toLowerCase();
    if (!guids.has(guid) || index[guid]) continue;
    const p = def.properties;
    const effects = effectsOf(p);
    const effectParameter = /parameters\('([^']+)'\)/.exec(String(p.policyRule?.then?.effect ?? ""))?.[1];
    const kind = effects.includes("manual")
      ? "manual"
      : !p.mode && p.metadata?.category === "Regulatory Compliance"
        ? "microsoft-managed"
        : "automated";
    index[guid] = {
      name: p.displayName,
      category: p.metadata?.category ?? "",
      effects,
      ...(effectParameter ? { effectParameter } : {}),
      kind,
      ...(p.metadata?.deprecated ? { deprecated: true as const } : {}),
      ...(assessmentKey.has(guid) ? { assessmentKey: assessmentKey.get(guid) } : {}),
    };
  }
  mkdirSync(join(REPO_ROOT, "frameworks", "_meta"), { recursive: true });
  const sorted = Object.fromEntries(Object.entries(index).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(join(REPO_ROOT, "frameworks", "_meta", "policies.json"), `${JSON.stringify(sorted)}\n`);
  console.log(`_meta/policies.json: ${Object.keys(sorted).length} of ${guids.size} mapped policies described`);
}

function effectsOf(p: {
  policyRule?: { then?: { effect?: string } };
  parameters?: Record<string, { allowedValues?: string[]; defaultValue?: string }>;
}): string[] {
  const e = String(p.policyRule?.then?.effect ?? "");
  const m = /parameters\('([^']+)'\)/.exec(e);
  const values = m ? (p.parameters?.[m[1]]?.allowedValues ?? [p.parameters?.[m[1]]?.defaultValue ?? ""]) : [e];
  return [...new Set(values.map((v) => String(v).toLowerCase()).filter((v) => v && v !== "disabled"))].sort();
}

function compareControlIds(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}
