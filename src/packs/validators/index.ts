import type { Remediation } from "../../domain/finding";
import { azAllowed } from "./az-table";
import { ARM_TOP, ARM_TYPES, TF_TYPES } from "./iac-table";
import { PS_BUILTINS, PS_CMDLETS, PS_COMMON } from "./ps-table";

/**
 * Checks a generated remediation draft without running it: az lines against the az command table, PowerShell
 * cmdlets and parameters against the cmdlet table, ARM JSON and Bicep against the ARM type/API-version/property-path
 * table, Terraform against the azurerm type/argument table. Returns human-readable issues (empty = valid).
 */
export function validateDraft(d: Remediation): string[] {
  const texts = [d.content, d.rollback, d.precheck ?? ""];
  const issues: string[] = [];
  for (const t of texts) issues.push(...validateAzText(t), ...validatePsText(t));
  if (d.kind === "arm") {
    issues.push(...validateArmTemplate(JSON.parse(d.content)));
    if (d.rollback.trim().startsWith("{")) issues.push(...validateArmTemplate(JSON.parse(d.rollback)).map((i) => `rollback: ${i}`));
  }
  if (d.kind === "bicep") for (const t of [d.content, d.rollback]) if (/^resource /m.test(t)) issues.push(...validateBicep(t));
  if (d.kind === "terraform") for (const t of [d.content, d.rollback]) issues.push(...validateTerraform(t));
  return issues;
}

/** Splits a shell line into words, honouring single and double quotes. */
export function shellWords(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quote: string | null = null;
  let has = false;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      has = true;
    } else if (/\s/.test(ch)) {
      if (cur || has) out.push(cur);
      cur = "";
      has = false;
    } else if (ch === "#" && !cur && !has) break;
    else cur += ch;
  }
  if (cur || has) out.push(cur);
  return out;
}

export function validateAzText(text: string): string[] {
  const issues: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line.startsWith("az ")) continue;
    const words = shellWords(line).slice(1);
    const firstFlag = words.findIndex((w) => w.startsWith("-"));
    const path = (firstFlag < 0 ? words : words.slice(0, firstFlag)).join(" ");
    const allowed = azAllowed(path);
    if (!allowed) {
      issues.push(`unknown az command: az ${path}`);
      continue;
    }
    for (const w of words.slice(firstFlag < 0 ? words.length : firstFlag)) if (/^--?[a-z]/.test(w) && !allowed.has(w)) issues.push(`az ${path}: unknown parameter ${w}`);
  }
  return issues;
}

export function validatePsText(text: string): string[] {
  const issues: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#") || line.startsWith("az ")) continue;
    // Each pipeline segment / parenthesized call starts with a cmdlet; parameters follow until the next cmdlet.
    const tokens = line.match(/'[^']*'|"[^"]*"|[^\s|()]+|[|()]/g) ?? [];
    let current: string | undefined;
    for (const tok of tokens) {
      if (/^[A-Z][a-z]+-[A-Z][A-Za-z]+$/.test(tok)) {
        current = tok;
        if (!PS_CMDLETS[tok] && !PS_BUILTINS.has(tok)) issues.push(`unknown cmdlet: ${tok}`);
        continue;
      }
      if (tok === "|" || tok === "(" || tok === ")") continue;
      const m = /^-([A-Z][A-Za-z]+)$/.exec(tok);
      if (m && current && PS_CMDLETS[current] && !PS_CMDLETS[current].includes(m[1]) && !PS_COMMON.includes(m[1]))
        issues.push(`${current}: unknown parameter -${m[1]}`);
    }
  }
  return issues;
}

/** Leaf property paths of a value, arrays of objects as `[*]`. */
export function leafPaths(v: unknown, prefix = ""): string[] {
  if (Array.isArray(v)) {
    const objs = v.filter((x) => x && typeof x === "object" && !Array.isArray(x));
    if (objs.length === 0) return prefix ? [prefix] : [];
    return [...new Set(objs.flatMap((o) => leafPaths(o, `${prefix}[*]`)))];
  }
  if (v && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) return prefix ? [prefix] : [];
    return entries.flatMap(([k, x]) => leafPaths(x, prefix ? `${prefix}.${k}` : k));
  }
  return prefix ? [prefix] : [];
}

function checkArmResource(type: string, apiVersion: string, body: Record<string, unknown>): string[] {
  const spec = ARM_TYPES[type];
  if (!spec) return [`unknown ARM type ${type}`];
  const issues: string[] = [];
  if (!spec.apiVersions.includes(apiVersion)) issues.push(`${type}: API version ${apiVersion} not in ${spec.apiVersions.join(", ")}`);
  for (const k of Object.keys(body)) if (!ARM_TOP.has(k)) issues.push(`${type}: unexpected top-level member ${k}`);
  for (const p of leafPaths(body.properties ?? {})) if (!spec.paths.some((s) => s === p || s.startsWith(`${p}.`))) issues.push(`${type}: unknown property path properties.${p}`);
  return issues;
}

export function validateArmTemplate(t: Record<string, unknown>): string[] {
  const issues: string[] = [];
  if (typeof t.$schema !== "string" || !/schema\.management\.azure\.com\/schemas\/.+Template\.json#$/.test(t.$schema)) issues.push("ARM: missing or unknown $schema");
  if (t.contentVersion !== "1.0.0.0") issues.push("ARM: contentVersion must be 1.0.0.0");
  if (!Array.isArray(t.resources) || t.resources.length === 0) return [...issues, "ARM: no resources"];
  for (const r of t.resources as Record<string, unknown>[]) issues.push(...checkArmResource(String(r.type), String(r.apiVersion), r));
  return issues;
}

/** A structural Bicep reader for the subset Clarion writes: `resource sym 'Type@api' [existing] = { ... }`. */
export function validateBicep(text: string): string[] {
  const issues: string[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^resource\s+([A-Za-z_][A-Za-z0-9_]*)\s+'([^'@]+)@([^']+)'\s+(existing\s+)?=\s+\{\s*$/.exec(lines[i]);
    if (!m) {
      if (/^resource\s/.test(lines[i])) issues.push(`bicep: cannot parse declaration: ${lines[i]}`);
      continue;
    }
    const [, , type, api, existing] = m;
    // Collect the body up to the matching closing brace; build an object of keys (values are irrelevant here).
    const root: Record<string, unknown> = {};
    const stack: Record<string, unknown>[] = [root];
    const keys: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j].trim();
      if (l === "}" || l === "]") {
        stack.pop();
        keys.pop();
        if (stack.length === 0) break;
        continue;
      }
      const kv = /^('?[A-Za-z_][A-Za-z0-9_]*'?):\s*(.*)$/.exec(l);
      const parent = stack[stack.length - 1];
      if (kv) {
        const key = kv[1].replace(/'/g, "");
        const rest = kv[2];
        if (rest === "{" || rest === "[") {
          const child: Record<string, unknown> = {};
          parent[key] = rest === "[" ? [child] : child;
          stack.push(child);
          keys.push(key);
        } else parent[key] = rest;
      } else if (l === "{") {
        stack.push(parent);
        keys.push("");
      } else if (l && !l.startsWith("//")) {
        parent.__item = l;
      }
    }
    if (existing) {
      if (!ARM_TYPES[type]) issues.push(`bicep: unknown type ${type}`);
      else if (!ARM_TYPES[type].apiVersions.includes(api)) issues.push(`bicep: ${type}: API version ${api} not in the table`);
      continue;
    }
    const body = stripItems(root);
    issues.push(...checkArmResource(type, api, { type, apiVersion: api, ...(body as Record<string, unknown>) }).map((x) => `bicep: ${x}`));
    i = j;
  }
  return issues;
}

function stripItems(v: unknown): unknown {
  if (Array.isArray(v)) {
    // A Bicep array of plain values parses as one object holding only __item: keep it as a primitive array.
    if (v.every((x) => x && typeof x === "object" && Object.keys(x).every((k) => k === "__item"))) return ["value"];
    return v.map(stripItems);
  }
  if (v && typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== "__item") o[k] = stripItems(x);
    return o;
  }
  return v;
}

/** A line-based HCL reader for the Terraform Clarion writes: resource/import/removed blocks with nested blocks. */
export function validateTerraform(text: string): string[] {
  const issues: string[] = [];
  const stack: { kind: string; type?: string; path: string[] }[] = [];
  let depth = 0;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line) continue;
    let m: RegExpExecArray | null;
    if ((m = /^resource\s+"([a-z0-9_]+)"\s+"([A-Za-z_][A-Za-z0-9_-]*)"\s*\{$/.exec(line))) {
      if (!TF_TYPES[m[1]]) issues.push(`terraform: unknown resource type ${m[1]}`);
      stack.push({ kind: "resource", type: m[1], path: [] });
      depth++;
    } else if ((m = /^variable\s+"([A-Za-z_][A-Za-z0-9_]*)"\s*\{$/.exec(line))) {
      stack.push({ kind: "variable", path: [] });
      depth++;
    } else if ((m = /^(import|removed)\s*\{$/.exec(line))) {
      stack.push({ kind: m[1], path: [] });
      depth++;
    } else if ((m = /^([a-z_][a-z0-9_]*)\s*\{$/.exec(line))) {
      const top = stack[stack.length - 1];
      if (!top) issues.push(`terraform: block ${m[1]} outside a resource`);
      else {
        const path = [...top.path, m[1]];
        if (top.kind === "resource" && top.type && TF_TYPES[top.type] && !TF_TYPES[top.type].includes(path.join("."))) issues.push(`terraform: ${top.type} has no block ${path.join(".")}`);
        if (top.kind === "removed" && m[1] !== "lifecycle") issues.push(`terraform: removed block cannot contain ${m[1]}`);
        stack.push({ kind: top.kind, type: top.type, path });
      }
      depth++;
    } else if (line === "}") {
      stack.pop();
      depth--;
      if (depth < 0) issues.push("terraform: unbalanced braces");
    } else if ((m = /^([a-z_][a-z0-9_]*)\s*=\s*(.+)$/.exec(line))) {
      const top = stack[stack.length - 1];
      if (!top) {
        issues.push(`terraform: argument ${m[1]} outside a block`);
        continue;
      }
      const path = [...top.path, m[1]].join(".");
      if (top.kind === "resource" && top.type && TF_TYPES[top.type] && !TF_TYPES[top.type].includes(path)) issues.push(`terraform: ${top.type} has no argument ${path}`);
      if (top.kind === "import" && !["to", "id"].includes(m[1])) issues.push(`terraform: import block cannot have ${m[1]}`);
      if (top.kind === "variable" && !["type", "description", "default", "sensitive"].includes(m[1])) issues.push(`terraform: variable block cannot have ${m[1]}`);
      if (top.kind === "removed" && !["from", "lifecycle.destroy"].includes(path)) issues.push(`terraform: removed block cannot have ${path}`);
    } else issues.push(`terraform: cannot parse line: ${line}`);
  }
  if (depth !== 0) issues.push("terraform: unbalanced braces");
  return issues;
}
