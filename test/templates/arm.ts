/**
 * Structural checks for ARM templates and Bicep files (no Azure, no bicep CLI): the shapes Azure rejects first and
 * the references that break at deploy time.
 */

export const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

/** Every string in a JSON value, with its JSON pointer. */
export function strings(v: unknown, path = ""): { path: string; value: string }[] {
  if (typeof v === "string") return [{ path, value: v }];
  if (Array.isArray(v)) return v.flatMap((x, i) => strings(x, `${path}/${i}`));
  if (v && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => strings(x, `${path}/${k}`));
  return [];
}

/** Problems in an ARM deployment template: required members, resource shape, parameters()/variables() references. */
export function armProblems(t: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (!/^https:\/\/schema\.management\.azure\.com\/schemas\/\d{4}-\d{2}-\d{2}\/deploymentTemplate\.json#$/.test(String(t.$schema)))
    out.push(`$schema is not a deployment template schema: ${t.$schema}`);
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(String(t.contentVersion))) out.push(`contentVersion must be n.n.n.n, got ${t.contentVersion}`);
  const params = (t.parameters ?? {}) as Record<string, { type?: string }>;
  const vars = (t.variables ?? {}) as Record<string, unknown>;
  const TYPES = ["string", "securestring", "int", "bool", "object", "secureobject", "array"];
  for (const [k, p] of Object.entries(params))
    if (!TYPES.includes(String(p.type).toLowerCase())) out.push(`parameter ${k} has type ${p.type}`);
  if (!Array.isArray(t.resources) || !t.resources.length) out.push("resources must be a non-empty array");
  for (const [i, r] of ((t.resources as Record<string, unknown>[]) ?? []).entries()) {
    for (const k of ["type", "apiVersion", "name"]) if (typeof r[k] !== "string" || !r[k]) out.push(`resources/${i} has no ${k}`);
    if (typeof r.apiVersion === "string" && !API_VERSION.test(r.apiVersion)) out.push(`resources/${i} apiVersion ${r.apiVersion}`);
    if (typeof r.type === "string" && !/^[A-Za-z]+\.[A-Za-z.]+\/[A-Za-z/]+$/.test(r.type)) out.push(`resources/${i} type ${r.type}`);
  }
  // Only template-level expressions: a Logic App definition's own @parameters() live in a different language.
  for (const { path, value } of strings({ resources: t.resources, outputs: t.outputs, variables: t.variables })) {
    if (!value.startsWith("[") || value.startsWith("[[")) continue;
    for (const m of value.matchAll(/parameters\('([^']+)'\)/g)) if (!(m[1] in params)) out.push(`${path}: unknown parameter '${m[1]}'`);
    for (const m of value.matchAll(/variables\('([^']+)'\)/g)) if (!(m[1] in vars)) out.push(`${path}: unknown variable '${m[1]}'`);
    let depth = 0;
    for (const c of value) depth += c === "(" ? 1 : c === ")" ? -1 : 0;
    if (depth !== 0 || !value.endsWith("]")) out.push(`${path}: unbalanced expression ${value}`);
  }
  for (const [k, p] of Object.entries(params))
    if (
      !strings({ resources: t.resources, outputs: t.outputs, variables: t.variables }).some((s) => s.value.includes(`parameters('${k}')`))
    )
      out.push(`parameter ${k} is never used`);
  return out;
}

export interface BicepFile {
  params: Map<string, { type: string; decorators: string[] }>;
  vars: Set<string>;
  resources: { symbol: string; type: string; apiVersion: string; existing: boolean; condition: string | null; body: string }[];
  modules: { symbol: string; path: string; body: string }[];
  outputs: Set<string>;
  targetScope: string;
  text: string;
}

/** A structural reading of a Bicep file: declarations, resource types and API versions, and each resource's body. */
export function parseBicep(text: string): BicepFile {
  const lines = text.split("\n");
  const params = new Map<string, { type: string; decorators: string[] }>();
  const vars = new Set<string>();
  const outputs = new Set<string>();
  const resources: BicepFile["resources"] = [];
  const modules: BicepFile["modules"] = [];
  let decorators: string[] = [];
  const bodyFrom = (start: number): string => {
    let depth = 0;
    let out = "";
    for (let i = start; i < lines.length; i++) {
      out += `${lines[i]}\n`;
      for (const c of lines[i].replace(/'(?:[^'\\]|\\.)*'/g, "''")) depth += c === "{" || c === "[" ? 1 : c === "}" || c === "]" ? -1 : 0;
      if (depth <= 0 && i > start) break;
      if (depth <= 0 && i === start && !/[{[]\s*$/.test(lines[i])) break;
    }
    return out;
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].trim();
    if (l.startsWith("@")) {
      decorators.push(l);
      continue;
    }
    const p = /^param\s+(\w+)\s+(\w+)/.exec(l);
    const v = /^var\s+(\w+)\s*=/.exec(l);
    const o = /^output\s+(\w+)\s+/.exec(l);
    const r = /^resource\s+(\w+)\s+'([^'@]+)@([^']+)'\s+(existing\s+)?=\s*(if\s*\((.*)\)\s*)?/.exec(l);
    const m = /^module\s+(\w+)\s+'([^']+)'/.exec(l);
    if (p) params.set(p[1], { type: p[2], decorators });
    else if (v) vars.add(v[1]);
    else if (o) outputs.add(o[1]);
    else if (r)
      resources.push({ symbol: r[1], type: r[2], apiVersion: r[3], existing: !!r[4], condition: r[6] ?? null, body: bodyFrom(i) });
    else if (m) modules.push({ symbol: m[1], path: m[2], body: bodyFrom(i) });
    decorators = [];
  }
  const targetScope = /^targetScope\s*=\s*'(\w+)'/m.exec(text)?.[1] ?? "resourceGroup";
  return { params, vars, resources, modules, outputs, targetScope, text };
}

const BICEP_FUNCS = new Set(
  "if minLength maxLength minValue maxValue secure allowed metadata sys resourceGroup subscription tenant managementGroup guid uniqueString concat format take split join string json empty contains length union first last toLower toUpper replace substring startsWith endsWith loadTextContent loadJsonContent subscriptionResourceId resourceId tenantResourceId extensionResourceId reference list listKeys environment deployment int bool base64 any".split(
    " ",
  ),
);
const KEYWORDS = new Set("param var resource module output targetScope if for in existing true false null and or not".split(" "));

/** Problems: unknown symbol references (`x.properties`, `x.id`, bare identifiers in expressions), unused params, bad API versions. */
export function bicepProblems(b: BicepFile): string[] {
  const out: string[] = [];
  const declared = new Set<string>([...b.params.keys(), ...b.vars, ...b.resources.map((r) => r.symbol), ...b.modules.map((m) => m.symbol)]);
  for (const r of b.resources) {
    if (!API_VERSION.test(r.apiVersion)) out.push(`${r.symbol}: API version ${r.apiVersion}`);
    if (!/^[A-Za-z]+\.[A-Za-z.]+\/[A-Za-z/]+$/.test(r.type)) out.push(`${r.symbol}: type ${r.type}`);
  }
  // strip comments and string literals (but keep ${...} interpolations)
  const code = b.text
    .split("\n")
    .map((l) => l.replace(/\/\/.*$/, ""))
    .join("\n")
    .replace(/'(?:[^'\\]|\\.)*'/g, (s) => [...s.matchAll(/\$\{([^}]*)\}/g)].map((m) => ` ${m[1]} `).join(" "))
    .replace(/@description\([^)]*\)/g, "");
  const loopVars = new Set([...code.matchAll(/\bfor\s+(\w+)\s+in\b/g)].map((m) => m[1]));
  // identifiers used as values: after ':' '=' '(' ',' '[' '?' operators, or before '.', not object keys
  for (const m of code.matchAll(
    /(?<![.\w'])([A-Za-z_]\w*)(?=\s*(?:\.|\(|\)|,|\]|\?|:|$|\s*[!=<>]=|\s*&&|\s*\|\||\s*\+|\s*-|\s*\n|\s*\}))/gm,
  )) {
    const id = m[1];
    const after = code.slice((m.index ?? 0) + id.length).trimStart();
    if (after.startsWith(":") && !after.startsWith("::")) continue; // object key
    if (after.startsWith("(") && !BICEP_FUNCS.has(id)) {
      out.push(`unknown function ${id}()`);
      continue;
    }
    if (BICEP_FUNCS.has(id) || KEYWORDS.has(id) || declared.has(id) || loopVars.has(id)) continue;
    const before = code.slice(Math.max(0, (m.index ?? 0) - 40), m.index).trimEnd();
    // declaration names and type names
    if (/(?:^|\s)(?:param|var|output|resource|module)\s*$/.test(before) || /(?:param|output)\s+\w+\s*$/.test(before)) continue;
    if (["string", "int", "bool", "array", "object"].includes(id)) continue;
    out.push(`unknown identifier '${id}'`);
  }
  for (const p of b.params.keys()) {
    const uses = code.match(new RegExp(`\\b${p}\\b`, "g"))?.length ?? 0;
    if (uses < 2) out.push(`param ${p} is never used`);
  }
  return [...new Set(out)];
}
