/**
 * Derives Clarion's framework data files (frameworks/<id>.json) from the real built-in regulatory
 * initiatives in ../shared/realdata/azure-policy: for each framework, its control ids and which built-in
 * policy definitions map to each control (facts, reshaped into our own format). NIST titles come from the
 * NIST SP 800-53 r5 catalog in ../shared/realdata/ctid-attack-nist80053-mappings.
 *
 * Run: npx tsx scripts/gen-frameworks.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, realdata } from "../src/testing/shared";
import { FRAMEWORK_SOURCES } from "../src/compliance/framework-sources";

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
for (const src of FRAMEWORK_SOURCES) {
  const doc = JSON.parse(readFileSync(realdata("azure-policy/policySetDefinitions", src.initiativeFile), "utf8"));
  const p = doc.properties;
  const controlIds = new Set<string>();
  for (const g of p.policyDefinitionGroups ?? []) {
    const id = src.controlId(g.name);
    if (id) controlIds.add(id);
  }
  const policies: Record<string, string[]> = {};
  for (const ref of p.policyDefinitions ?? []) {
    const guid = String(ref.policyDefinitionId).split("/").pop()!.toLowerCase();
    const ids = (ref.groupNames ?? []).map((g: string) => src.controlId(g)).filter(Boolean) as string[];
    if (!ids.length) continue;
    policies[guid] = [...new Set([...(policies[guid] ?? []), ...ids])].sort();
    for (const id of ids) controlIds.add(id);
  }
  const controls = [...controlIds].sort(compareControlIds).map((controlId) => {
    const title = src.id.startsWith("nist") ? nist.get(controlId) : undefined;
    return title ? { controlId, title } : { controlId };
  });
  const out = {
    id: src.id,
    name: src.name,
    version: src.version,
    initiative: { id: doc.id ?? `/providers/Microsoft.Authorization/policySetDefinitions/${doc.name}`, displayName: p.displayName, version: p.version },
    derivedFrom: `azure-policy/policySetDefinitions/${src.initiativeFile}`,
    controls,
    policies,
  };
  writeFileSync(join(REPO_ROOT, "frameworks", `${src.id}.json`), `${JSON.stringify(out)}\n`);
  console.log(`${src.id}: ${controls.length} controls, ${Object.keys(policies).length} mapped policies`);
}

function compareControlIds(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}
