import type { Finding } from "../domain/finding";
import type { Approval } from "./model";

/** A signal that a policy is too broad: an exemption request, a dismissed finding, a rejected fix. */
export interface TuningSignal {
  findingId: string;
  kind: "exemption" | "dismissed" | "rejected";
  reason: string;
}

export interface TuningSuggestion {
  recommendationId: string;
  recommendationName: string;
  policyDefinitionId: string | null;
  kind: "scope" | "parameter";
  suggestion: string;
  /** The assignment change to consider, as an ARM fragment. */
  change: Record<string, unknown>;
  evidence: { findingIds: string[]; signals: number; ofFindings: number; share: number; reasons: string[] };
}

export interface TuningOptions {
  /** Signals needed before a group is considered (default 2). */
  minSignals?: number;
  /** Share of a group's signals that must fall in one resource group (default 0.6). */
  concentration?: number;
}

/** Exemptions on findings plus dismissed findings and rejected approvals, as signals. */
export function tuningSignals(
  findings: Finding[],
  approvals: Approval[] = [],
  dismissed: { findingId: string; reason: string }[] = [],
): TuningSignal[] {
  const out: TuningSignal[] = [];
  for (const f of findings)
    if (f.exemption) out.push({ findingId: f.id, kind: "exemption", reason: `${f.exemption.category}: ${f.exemption.justification}` });
  for (const a of approvals)
    if (a.state === "rejected") out.push({ findingId: a.findingId, kind: "rejected", reason: a.history.at(-1)?.reason ?? "rejected" });
  for (const d of dismissed) out.push({ findingId: d.findingId, kind: "dismissed", reason: d.reason });
  return out;
}

/**
 * Suggests policy scope or parameter refinements where exemptions and dismissals cluster:
 * - most signals in one resource group → exclude it (`notScopes`) rather than exempt resource by resource;
 * - every signal in non-production while production findings stand → keep the effect for production only
 *   (`resourceSelectors` / an Audit override elsewhere);
 * - most exemptions are `Mitigated` → the rule misses a compensating control: add a parameter for it.
 * Pure: same inputs, same suggestions, each with the findings that support it.
 */
export function suggestTuning(findings: Finding[], signals: TuningSignal[], opts: TuningOptions = {}): TuningSuggestion[] {
  const minSignals = opts.minSignals ?? 2;
  const concentration = opts.concentration ?? 0.6;
  const byId = new Map(findings.map((f) => [f.id, f]));
  const groups = new Map<string, { findings: Finding[]; signals: TuningSignal[] }>();
  for (const f of findings) {
    const g = groups.get(f.recommendation.id) ?? { findings: [], signals: [] };
    g.findings.push(f);
    groups.set(f.recommendation.id, g);
  }
  for (const s of signals) {
    const f = byId.get(s.findingId);
    if (f) groups.get(f.recommendation.id)?.signals.push(s);
  }
  const out: TuningSuggestion[] = [];
  for (const [recId, g] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const sigFindings = [...new Set(g.signals.map((s) => s.findingId))].map((id) => byId.get(id) as Finding);
    if (sigFindings.length < minSignals) continue;
    const first = g.findings[0];
    const base = {
      recommendationId: recId,
      recommendationName: first.recommendation.name,
      policyDefinitionId: first.recommendation.policyDefinitionId ?? null,
    };
    const evidence = (fs: Finding[]) => {
      const ids = new Set(fs.map((f) => f.id));
      return {
        findingIds: [...ids].sort(),
        signals: g.signals.filter((s) => ids.has(s.findingId)).length,
        ofFindings: g.findings.length,
        share: Math.round((ids.size / g.findings.length) * 100) / 100,
        reasons: [...new Set(g.signals.filter((s) => ids.has(s.findingId)).map((s) => s.reason))].slice(0, 5),
      };
    };
    // 1. Concentrated in one resource group.
    const byRg = new Map<string, Finding[]>();
    for (const f of sigFindings) {
      const k = `/subscriptions/${f.subscriptionId}/resourceGroups/${f.resourceGroup}`;
      byRg.set(k, [...(byRg.get(k) ?? []), f]);
    }
    const [topRg, rgFindings] = [...byRg].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))[0];
    if (rgFindings.length >= minSignals && rgFindings.length / sigFindings.length >= concentration) {
      const inRg = g.findings.filter((f) => `/subscriptions/${f.subscriptionId}/resourceGroups/${f.resourceGroup}` === topRg);
      out.push({
        ...base,
        kind: "scope",
        suggestion: `${rgFindings.length} of ${inRg.length} findings in ${topRg} were exempted or dismissed: exclude the resource group from the assignment instead of exempting resources one by one.`,
        change: { properties: { notScopes: [topRg] } },
        evidence: evidence(rgFindings),
      });
      continue;
    }
    // 2. Only non-production is pushed back on, while production findings stand.
    const nonProd = sigFindings.every((f) => ["development", "test"].includes(f.environment));
    const prodStanding = g.findings.some((f) => f.environment === "production" && !signals.some((s) => s.findingId === f.id));
    if (nonProd && prodStanding) {
      out.push({
        ...base,
        kind: "parameter",
        suggestion: `All ${sigFindings.length} exemptions/dismissals are in development or test while production findings stand: keep the enforcing effect for production and audit elsewhere.`,
        change: {
          properties: {
            overrides: [
              { kind: "policyEffect", value: "Audit", selectors: [{ kind: "resourceLocation", in: ["<non-production locations>"] }] },
            ],
            metadata: { clarionNote: "or split the assignment by environment tag" },
          },
        },
        evidence: evidence(sigFindings),
      });
      continue;
    }
    // 3. Mostly mitigated elsewhere.
    const mitigated = sigFindings.filter((f) => f.exemption?.category?.toLowerCase() === "mitigated");
    if (mitigated.length >= minSignals && mitigated.length / sigFindings.length >= concentration)
      out.push({
        ...base,
        kind: "parameter",
        suggestion: `${mitigated.length} exemptions say the risk is mitigated by another control: add a parameter to the rule (e.g. an allow-list or an existence check for that control) so compliant designs stop failing.`,
        change: { properties: { parameters: { exemptedPatterns: { value: [] } } } },
        evidence: evidence(mitigated),
      });
  }
  return out;
}
