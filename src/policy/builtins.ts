import { aliasCatalog, readPacked } from "./aliases";

/** One built-in policy definition as Clarion keeps it (derived by gen/generate-catalog.ts). */
export interface BuiltinPolicy {
  /** definition name (GUID) */
  id: string;
  name: string;
  category: string;
  mode: string | null;
  version: string | null;
  /** default effect first, then the allowed ones (lower case) */
  effects: string[];
  types: string[];
  fields: string[];
  deprecated?: boolean;
  preview?: boolean;
  parameters: Record<string, { type: string; allowedValues?: unknown[]; defaultValue?: unknown }>;
  /** policy rule; DINE deployment templates removed */
  rule: { if: unknown; then: Record<string, unknown> };
}

let cache: { list: BuiltinPolicy[]; byId: Map<string, BuiltinPolicy> } | undefined;

export function builtinPolicies(): BuiltinPolicy[] {
  return load().list;
}

function load() {
  if (!cache) {
    const list = JSON.parse(readPacked("builtins.gz.b64")) as BuiltinPolicy[];
    cache = { list, byId: new Map(list.map((b) => [b.id.toLowerCase(), b])) };
  }
  return cache;
}

/** By GUID or full id (`/providers/Microsoft.Authorization/policyDefinitions/<guid>`). */
export function getBuiltin(idOrName: string): BuiltinPolicy | undefined {
  const key = idOrName.slice(idOrName.lastIndexOf("/") + 1).toLowerCase();
  return load().byId.get(key);
}

export function builtinFullId(id: string): string {
  return `/providers/Microsoft.Authorization/policyDefinitions/${id}`;
}

/** The built-in as a policy definition document (for validate / what-if / export). */
export function builtinDefinition(b: BuiltinPolicy): Record<string, unknown> {
  return {
    id: builtinFullId(b.id),
    name: b.id,
    properties: {
      displayName: b.name,
      policyType: "BuiltIn",
      mode: b.mode ?? "Indexed",
      metadata: { category: b.category, version: b.version ?? undefined },
      parameters: b.parameters,
      policyRule: b.rule,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Retrieval: a small BM25 over built-in display names / categories / types / aliases, and over alias names.

/** Splits camelCase, dotted and slashed identifiers into lower-case words; drops stop words. */
export function tokenize(text: string): string[] {
  const STOP = new Set([
    "the",
    "a",
    "an",
    "of",
    "and",
    "or",
    "to",
    "for",
    "be",
    "should",
    "must",
    "all",
    "on",
    "in",
    "with",
    "is",
    "are",
    "ensure",
    "have",
    "has",
    "that",
    "use",
    "using",
    "by",
    "at",
  ]);
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1 && !STOP.has(w))
    .map(stem);
}

function stem(w: string): string {
  if (w.length > 4 && w.endsWith("ies")) return `${w.slice(0, -3)}y`;
  if (w.length > 3 && w.endsWith("s") && !w.endsWith("ss")) return w.slice(0, -1);
  return w;
}

const SYNONYMS: Record<string, string[]> = {
  sql: ["sql", "database"],
  database: ["database", "sql", "db"],
  encryption: ["encryption", "encrypt", "tde", "transparent"],
  tls: ["tls", "ssl"],
  storage: ["storage", "blob"],
  vm: ["virtual", "machine", "compute"],
  public: ["public", "network", "access"],
};

export class Bm25<T> {
  private docs: { item: T; tf: Map<string, number>; len: number }[] = [];
  private df = new Map<string, number>();
  private avg = 0;
  constructor(
    items: T[],
    text: (t: T) => string,
    private readonly k1 = 1.2,
    private readonly b = 0.75,
  ) {
    let total = 0;
    for (const item of items) {
      const toks = tokenize(text(item));
      const tf = new Map<string, number>();
      for (const t of toks) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const t of tf.keys()) this.df.set(t, (this.df.get(t) ?? 0) + 1);
      this.docs.push({ item, tf, len: toks.length });
      total += toks.length;
    }
    this.avg = total / Math.max(1, items.length);
  }
  search(query: string, limit = 5, boost?: (t: T) => number): { item: T; score: number }[] {
    const q = new Set(tokenize(query).flatMap((w) => SYNONYMS[w] ?? [w]));
    const N = this.docs.length;
    const out: { item: T; score: number }[] = [];
    for (const d of this.docs) {
      let s = 0;
      for (const t of q) {
        const f = d.tf.get(t);
        if (!f) continue;
        const df = this.df.get(t) ?? 0;
        const idf = Math.log(1 + (N - df + 0.5) / (df + 0.5));
        s += (idf * f * (this.k1 + 1)) / (f + this.k1 * (1 - this.b + (this.b * d.len) / this.avg));
      }
      if (s > 0) out.push({ item: d.item, score: s * (boost ? boost(d.item) : 1) });
    }
    return out.sort((a, b) => b.score - a.score).slice(0, limit);
  }
}

let builtinIndex: Bm25<BuiltinPolicy> | undefined;
let aliasIndex: Bm25<string> | undefined;

export function searchBuiltins(query: string, limit = 5): { item: BuiltinPolicy; score: number }[] {
  builtinIndex ??= new Bm25(
    builtinPolicies().filter((b) => b.mode === null || /^(all|indexed)$/i.test(b.mode)),
    (b) => `${b.name} ${b.name} ${b.category} ${b.types.join(" ")} ${b.fields.map((f) => f.slice(f.lastIndexOf("/") + 1)).join(" ")}`,
  );
  // Prefer definitions that evaluate something (not manual placeholders), are current and not preview.
  return builtinIndex.search(
    query,
    limit,
    (b) =>
      (b.deprecated ? 0.3 : 1) *
      (b.preview ? 0.8 : 1) *
      (b.effects[0] === "manual" ? 0.4 : 1) *
      (/^(deployifnotexists|modify|append)$/.test(b.effects[0] ?? "") ? 0.8 : 1),
  );
}

export function searchAliases(query: string, limit = 5): { item: string; score: number }[] {
  aliasIndex ??= new Bm25(
    [...aliasCatalog().aliases.values()].map((a) => a.name),
    (a) => a,
  );
  return aliasIndex.search(query, limit);
}
