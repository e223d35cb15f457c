/**
 * Generator: derives Clarion's alias catalog and compact built-in policy catalog from ../shared/realdata.
 * Run: `npx tsx src/policy/gen/generate-catalog.ts` (writes src/policy/data/*.gz.b64).
 *
 * Alias catalog format (gzip + base64 of UTF-8 text), one resource type per block:
 *   `T\t<ResourceType>` then one line per alias: `<suffix>` when the path is `properties.<suffix>` (the
 *   default rule), `<suffix>=<path>` otherwise, or `!<full alias name>=<path>` for aliases that do not start
 *   with the type name (e.g. `Microsoft.Compute/imageSku`, which several types define with their own paths).
 *
 * Built-in catalog: gzip + base64 of a JSON array of `{id, name, category, mode, effects, types, fields,
 * deprecated, preview, parameters, rule}`; `rule` is the policy rule with DINE deployment templates removed
 * (what-if never deploys), `parameters` keeps only type / allowedValues / defaultValue.
 */
import { createReadStream, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { hasShared, realdata } from "../../testing/shared";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "..", "data");

async function* lines(file: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const l of rl) if (l.trim()) yield l.replace(/^\uFEFF/, "");
}

function pack(text: string): string {
  const b64 = gzipSync(Buffer.from(text, "utf8"), { level: 9 }).toString("base64");
  return b64.replace(/(.{76})/g, "$1\n") + "\n";
}

async function aliases(): Promise<number> {
  const out: string[] = [];
  let n = 0;
  for await (const l of lines(realdata("azure-policy-aliases", "aliases.jsonl"))) {
    const row = JSON.parse(l) as { resourceType: string; aliases: { alias: string; defaultPath: string }[] };
    out.push(`T\t${row.resourceType}`);
    const prefix = `${row.resourceType.toLowerCase()}/`;
    for (const a of row.aliases) {
      n++;
      if (a.alias.toLowerCase().startsWith(prefix)) {
        const suffix = a.alias.slice(prefix.length);
        out.push(a.defaultPath === `properties.${suffix}` ? suffix : `${suffix}=${a.defaultPath}`);
      } else out.push(`!${a.alias}=${a.defaultPath}`);
    }
  }
  writeFileSync(join(OUT, "aliases.gz.b64"), pack(out.join("\n")));
  return n;
}

const FIELD_BUILTINS = new Set(["type", "name", "fullname", "kind", "location", "id", "identity.type", "tags"]);

function collect(node: unknown, fields: Set<string>, types: Set<string>): void {
  if (Array.isArray(node)) for (const x of node) collect(x, fields, types);
  else if (node && typeof node === "object") {
    const o = node as Record<string, unknown>;
    if (typeof o.field === "string") {
      const f = o.field;
      const fl = f.toLowerCase();
      if (fl === "type") {
        for (const k of ["equals", "in", "like"]) {
          const v = o[k];
          for (const t of Array.isArray(v) ? v : [v]) if (typeof t === "string" && !t.startsWith("[") && t.includes("/")) types.add(t);
        }
      } else if (!FIELD_BUILTINS.has(fl) && !fl.startsWith("tags") && !f.startsWith("[")) fields.add(f);
    }
    for (const v of Object.values(o)) collect(v, fields, types);
  }
}

function effectsOf(props: Record<string, unknown>): string[] {
  const rule = props.policyRule as { then?: { effect?: string } } | undefined;
  const e = rule?.then?.effect ?? "";
  const m = /^\[parameters\('([^']+)'\)\]$/i.exec(e.trim());
  if (!m) return [e.toLowerCase()];
  const params = (props.parameters ?? {}) as Record<string, { defaultValue?: unknown; allowedValues?: unknown[] }>;
  const key = Object.keys(params).find((k) => k.toLowerCase() === m[1].toLowerCase());
  const p = key ? params[key] : undefined;
  const vals = [p?.defaultValue, ...(p?.allowedValues ?? [])].filter((v): v is string => typeof v === "string").map((v) => v.toLowerCase());
  return [...new Set(vals)];
}

async function builtins(): Promise<number> {
  const seen = new Set<string>();
  const rows: unknown[] = [];
  for await (const l of lines(realdata("azure-policy", "policyDefinitions.jsonl"))) {
    const row = JSON.parse(l) as { folder: string; definition: { name: string; properties: Record<string, unknown> } };
    if (row.folder === "Azure Government") continue;
    const def = row.definition;
    if (seen.has(def.name)) continue;
    seen.add(def.name);
    const p = def.properties;
    const meta = (p.metadata ?? {}) as Record<string, unknown>;
    const fields = new Set<string>();
    const types = new Set<string>();
    const rule = structuredClone(p.policyRule ?? {}) as { if?: unknown; then?: { details?: Record<string, unknown> } };
    collect(rule.if, fields, types);
    const details = rule.then?.details;
    if (details && !Array.isArray(details)) {
      delete details.deployment;
      collect(details.existenceCondition, fields, new Set());
    }
    const params: Record<string, unknown> = {};
    for (const [k, v] of Object.entries((p.parameters ?? {}) as Record<string, Record<string, unknown>>)) {
      const q: Record<string, unknown> = { type: v.type };
      if (v.allowedValues !== undefined) q.allowedValues = v.allowedValues;
      if (v.defaultValue !== undefined) q.defaultValue = v.defaultValue;
      params[k] = q;
    }
    rows.push({
      id: def.name,
      name: p.displayName,
      category: meta.category ?? row.folder,
      mode: p.mode ?? null,
      version: p.version ?? meta.version ?? null,
      effects: effectsOf(p),
      types: [...types],
      fields: [...fields],
      deprecated: meta.deprecated === true || undefined,
      preview: meta.preview === true || undefined,
      parameters: params,
      rule,
    });
  }
  writeFileSync(join(OUT, "builtins.gz.b64"), pack(JSON.stringify(rows)));
  return rows.length;
}

if (!hasShared()) {
  console.error("../shared/realdata is absent: nothing to generate from");
  process.exit(1);
}
const na = await aliases();
const nb = await builtins();
console.log(`aliases: ${na}; built-in definitions: ${nb}`);
