import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { parsePath, STAR } from "./values";

/**
 * The alias catalog: alias name -> ARM JSON path per resource type (one alias such as
 * `Microsoft.Compute/imageSku` has a different path on virtual machines and on scale sets). Derived from
 * ../shared/realdata by src/policy/gen/generate-catalog.ts into data/aliases.gz.b64.
 */
export interface AliasInfo {
  /** The alias as written in the catalog. */
  name: string;
  /** lower-cased resource type -> path segments (`*` marks `[*]`). */
  paths: Map<string, string[]>;
  /** true when the alias itself contains `[*]`. */
  isArray: boolean;
  /** catalog entry, or resolved by the default rule for a type the catalog does not know. */
  source: "catalog" | "default-rule";
}

export interface AliasCatalog {
  aliases: Map<string, AliasInfo>;
  /** lower-cased type -> canonical spelling. */
  types: Map<string, string>;
  /** lower-cased type -> alias names defined on it. */
  byType: Map<string, string[]>;
}

const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), "data");
let catalog: AliasCatalog | undefined;

export function readPacked(file: string): string {
  const b64 = readFileSync(join(DATA_DIR, file), "utf8").replace(/\s+/g, "");
  return gunzipSync(Buffer.from(b64, "base64")).toString("utf8");
}

export function aliasCatalog(): AliasCatalog {
  if (catalog) return catalog;
  const aliases = new Map<string, AliasInfo>();
  const types = new Map<string, string>();
  const byType = new Map<string, string[]>();
  let type = "";
  let typeKey = "";
  let names: string[] = [];
  for (const line of readPacked("aliases.gz.b64").split("\n")) {
    if (line.startsWith("T\t")) {
      type = line.slice(2);
      typeKey = type.toLowerCase();
      types.set(typeKey, type);
      names = byType.get(typeKey) ?? [];
      byType.set(typeKey, names);
      continue;
    }
    if (!line) continue;
    let name: string;
    let path: string;
    if (line.startsWith("!")) {
      const eq = line.indexOf("=");
      name = line.slice(1, eq);
      path = line.slice(eq + 1);
    } else {
      const eq = line.indexOf("=");
      const suffix = eq < 0 ? line : line.slice(0, eq);
      name = `${type}/${suffix}`;
      path = eq < 0 ? `properties.${suffix}` : line.slice(eq + 1);
    }
    const key = name.toLowerCase();
    let info = aliases.get(key);
    if (!info) {
      info = { name, paths: new Map(), isArray: name.includes("[*]"), source: "catalog" };
      aliases.set(key, info);
    }
    info.paths.set(typeKey, parsePath(path));
    names.push(name);
  }
  catalog = { aliases, types, byType };
  return catalog;
}

/** A resolved `field` reference. */
export type FieldRef =
  | { kind: "type" | "name" | "fullName" | "kind" | "location" | "id" }
  | { kind: "tags" }
  | { kind: "tag"; key: string }
  | { kind: "identity"; segs: string[] }
  | { kind: "alias"; alias: AliasInfo };

export type FieldResolution = { ref: FieldRef; warning?: string } | { error: string };

const SIMPLE: Record<string, FieldRef["kind"]> = {
  type: "type",
  name: "name",
  fullname: "fullName",
  kind: "kind",
  location: "location",
  id: "id",
};

/** Resolves a field string (`type`, `tags['x']`, an alias...) or explains why it is unknown. */
export function resolveField(field: string): FieldResolution {
  const f = field.trim();
  const lower = f.toLowerCase();
  if (SIMPLE[lower]) return { ref: { kind: SIMPLE[lower] } as FieldRef };
  if (lower === "tags") return { ref: { kind: "tags" } };
  const tag = parseTagField(f);
  if (tag !== undefined) return { ref: { kind: "tag", key: tag } };
  if (lower.startsWith("identity.")) return { ref: { kind: "identity", segs: parsePath(f.slice("identity.".length)) } };
  const cat = aliasCatalog();
  const hit = cat.aliases.get(lower);
  if (hit) return { ref: { kind: "alias", alias: hit } };
  // Unknown alias: on a known type it is an error (with the closest alias); on an unknown type the
  // default rule Namespace/type/prop.path -> properties.prop.path is exact for plain property aliases.
  const slash = f.lastIndexOf("/");
  if (slash <= 0 || !/^[A-Za-z0-9]+(\.[A-Za-z0-9]+)+\//.test(f)) return { error: `unknown field '${field}'${suggestion(f)}` };
  const typePart = f.slice(0, slash);
  const prop = f.slice(slash + 1);
  if (cat.types.has(typePart.toLowerCase()))
    return { error: `unknown alias '${field}' for type ${cat.types.get(typePart.toLowerCase())}${suggestion(f)}` };
  if (!/^[A-Za-z0-9_$@-]+(\[\*\])?(\.[A-Za-z0-9_$@-]+(\[\*\])?)*$/.test(prop) || typePart.split("/").length < 2)
    return { error: `unknown alias '${field}'${suggestion(f)}` };
  const info: AliasInfo = {
    name: f,
    paths: new Map([[typePart.toLowerCase(), parsePath(`properties.${prop}`)]]),
    isArray: prop.includes("[*]"),
    source: "default-rule",
  };
  return {
    ref: { kind: "alias", alias: info },
    warning: `alias '${field}' is not in the catalog (type ${typePart} unknown); resolved by the default rule to properties.${prop}`,
  };
}

/** `tags['x']`, `tags['''x''']`, `tags.x`, `tags[x]` -> the tag name; undefined when not a tag field. */
export function parseTagField(f: string): string | undefined {
  if (!/^tags[.[]/i.test(f)) return undefined;
  const rest = f.slice(4);
  if (rest.startsWith(".")) return rest.slice(1);
  if (!rest.endsWith("]")) return undefined;
  const inner = rest.slice(1, -1);
  if (inner === "*") return undefined;
  if (inner.startsWith("'") && inner.endsWith("'") && inner.length >= 2) return inner.slice(1, -1).replace(/''/g, "'");
  return inner;
}

function suggestion(f: string): string {
  const s = closestAlias(f);
  return s ? `; did you mean '${s}'?` : "";
}

/** Closest known alias (by edit distance, within the alias's type when that type is known). */
export function closestAlias(f: string): string | undefined {
  const cat = aliasCatalog();
  const lower = f.toLowerCase();
  let typeKey: string | undefined;
  for (let i = lower.lastIndexOf("/"); i > 0; i = lower.lastIndexOf("/", i - 1)) {
    if (cat.byType.has(lower.slice(0, i))) {
      typeKey = lower.slice(0, i);
      break;
    }
  }
  let pool: string[];
  if (typeKey) pool = cat.byType.get(typeKey) ?? [];
  else {
    // Unknown type: suggest within the closest type.
    const typeGuess = lower.slice(0, Math.max(0, lower.lastIndexOf("/")));
    const bestType = best(typeGuess, [...cat.types.keys()]);
    pool = bestType ? (cat.byType.get(bestType) ?? []) : [];
    if (!pool.length && bestType) return cat.types.get(bestType);
  }
  return best(f, pool);
}

function best(target: string, pool: string[]): string | undefined {
  let bestName: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  const t = target.toLowerCase();
  for (const c of pool) {
    const d = distance(t, c.toLowerCase(), bestD);
    if (d < bestD) {
      bestD = d;
      bestName = c;
    }
  }
  return bestName !== undefined && bestD <= Math.max(3, Math.ceil(t.length * 0.4)) ? bestName : undefined;
}

/** Levenshtein distance with an early exit once every cell of a row exceeds `cap`. */
function distance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const c = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur[j] = c;
      if (c < rowMin) rowMin = c;
    }
    if (rowMin >= cap) return cap;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/** Canonical spelling of a resource type when the catalog knows it. */
export function canonicalType(type: string): string {
  return aliasCatalog().types.get(type.toLowerCase()) ?? type;
}

export { STAR };
