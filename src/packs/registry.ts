import type { Pack } from "./schema";

export type MatchedBy = "assessmentKey" | "policyDefinitionId" | "displayName";

/**
 * Finds the pack for a finding. Real exports differ in what they carry, so we try the assessment key,
 * then the policy definition id, then the display name (case- and whitespace-insensitive).
 */
export class PackRegistry {
  private byKey = new Map<string, Pack>();
  private byPolicy = new Map<string, Pack>();
  private byName = new Map<string, Pack>();

  constructor(readonly packs: Pack[]) {
    for (const p of packs) {
      for (const k of p.meta.assessmentKeys) this.byKey.set(k.toLowerCase(), p);
      for (const id of p.meta.policyDefinitionIds) this.byPolicy.set(policyGuid(id), p);
      for (const n of [p.meta.title, ...p.meta.displayNames]) this.byName.set(normalizeName(n), p);
    }
  }

  match(q: { assessmentKey?: string; policyDefinitionId?: string; displayName?: string }): { pack: Pack; by: MatchedBy } | undefined {
    const k = q.assessmentKey && this.byKey.get(q.assessmentKey.toLowerCase());
    if (k) return { pack: k, by: "assessmentKey" };
    const p = q.policyDefinitionId && this.byPolicy.get(policyGuid(q.policyDefinitionId));
    if (p) return { pack: p, by: "policyDefinitionId" };
    const n = q.displayName && this.byName.get(normalizeName(q.displayName));
    if (n) return { pack: n, by: "displayName" };
    return undefined;
  }

  get(id: string): Pack | undefined {
    return this.packs.find((p) => p.meta.id === id);
  }
}

/** The GUID at the end of a policy definition id, lower-cased (ids differ in casing across exports). */
export function policyGuid(id: string): string {
  return (id.split("/").pop() ?? id).toLowerCase();
}

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/^\[preview\]:?\s*/, "").replace(/[^a-z0-9]+/g, " ").trim();
}
