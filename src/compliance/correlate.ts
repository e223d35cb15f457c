import type { Finding } from "../domain/finding";
import { frameworkFamily } from "./framework-sources";

/**
 * Cross-framework correlation: which single fix (one recommendation, fixed on every resource it fails on)
 * closes the most controls. A control is *closed* by a fix when every open failure of that control belongs
 * to the fix; it is *touched* when the fix removes some but not all of its failures. Exempted findings are
 * not open failures.
 */
export interface CorrelatedFix {
  rank: number;
  recommendationId: string;
  recommendation: string;
  severity: string;
  policyDefinitionId: string | null;
  /** Open (non-exempt) failing findings this fix resolves. */
  findings: number;
  resources: { id: string; name: string }[];
  /** Controls that pass once this fix is done (framework/controlId). */
  closes: string[];
  /** Controls where this fix removes some failures but others remain. */
  touches: string[];
  /** Distinct frameworks (ids) of the closed controls, and their families (CIS versions count once). */
  frameworks: string[];
  families: string[];
  maxRisk: number;
  /** "one fix closes 7 controls in 4 frameworks". */
  headline: string;
}

export interface CorrelateOptions {
  /** Keep only these frameworks. */
  frameworks?: string[];
  /** Count exempted findings as open (raw view). Default false. */
  raw?: boolean;
}

const controlKey = (c: { framework: string; controlId: string }) => `${c.framework}/${c.controlId}`;

/** Ranks misconfigurations by the controls one fix closes across frameworks. Pure. */
export function correlate(findings: Finding[], opts: CorrelateOptions = {}): CorrelatedFix[] {
  const keep = opts.frameworks ? new Set(opts.frameworks) : undefined;
  const open = findings.filter((f) => f.status === "Unhealthy" && (opts.raw || !f.exemption));
  // control -> recommendation ids with open failures on it
  const failingBy = new Map<string, Set<string>>();
  const groups = new Map<string, Finding[]>();
  for (const f of open) {
    const list = groups.get(f.recommendation.id) ?? [];
    list.push(f);
    groups.set(f.recommendation.id, list);
    for (const c of f.controls) {
      if (keep && !keep.has(c.framework)) continue;
      const set = failingBy.get(controlKey(c)) ?? new Set();
      set.add(f.recommendation.id);
      failingBy.set(controlKey(c), set);
    }
  }
  const fixes: CorrelatedFix[] = [];
  for (const [recId, list] of groups) {
    const controls = new Set<string>();
    for (const f of list) for (const c of f.controls) if (!keep || keep.has(c.framework)) controls.add(controlKey(c));
    if (!controls.size) continue;
    const closes = [...controls].filter((k) => failingBy.get(k)?.size === 1).sort(byControl);
    const touches = [...controls].filter((k) => (failingBy.get(k)?.size ?? 0) > 1).sort(byControl);
    const frameworks = [...new Set(closes.map((k) => k.split("/")[0]))].sort();
    const families = [...new Set(frameworks.map(frameworkFamily))].sort();
    const resources = [...new Map(list.map((f) => [f.resourceId.toLowerCase(), { id: f.resourceId, name: f.resourceName }])).values()];
    const first = list[0];
    fixes.push({
      rank: 0,
      recommendationId: recId,
      recommendation: first.recommendation.name,
      severity: first.recommendation.severity,
      policyDefinitionId: first.recommendation.policyDefinitionId ?? null,
      findings: list.length,
      resources,
      closes,
      touches,
      frameworks,
      families,
      maxRisk: Math.max(...list.map((f) => f.risk.score)),
      headline: headline(closes.length, families.length, frameworks.length, resources.length, touches.length),
    });
  }
  fixes.sort(
    (a, b) =>
      b.closes.length - a.closes.length ||
      b.families.length - a.families.length ||
      b.touches.length - a.touches.length ||
      b.maxRisk - a.maxRisk ||
      a.recommendationId.localeCompare(b.recommendationId),
  );
  fixes.forEach((f, i) => {
    f.rank = i + 1;
  });
  return fixes;
}

function headline(closes: number, families: number, frameworks: number, resources: number, touches: number): string {
  const on = `on ${resources} resource${resources === 1 ? "" : "s"}`;
  const also = touches ? `; also reduces failures in ${touches} more` : "";
  if (!closes) return `one fix ${on} reduces failures in ${touches} control${touches === 1 ? "" : "s"} (none closes on its own)`;
  const fw =
    families === frameworks
      ? `${families} framework${families === 1 ? "" : "s"}`
      : `${families} framework${families === 1 ? "" : "s"} (${frameworks} versions)`;
  return `one fix ${on} closes ${closes} control${closes === 1 ? "" : "s"} in ${fw}${also}`;
}

function byControl(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** An HTML section for report.html: the top fixes by controls closed. */
export function renderCorrelationHtml(fixes: CorrelatedFix[], top = 10): string {
  const rows = fixes
    .slice(0, top)
    .map(
      (f) =>
        `<tr><td>${f.rank}</td><td>${esc(f.recommendation)}<br><small>${esc(f.headline)}</small></td><td>${f.closes.length}</td><td>${f.families.length}</td><td>${f.touches.length}</td><td>${f.resources.length}</td><td><small>${esc(f.closes.slice(0, 12).join(", "))}${f.closes.length > 12 ? " …" : ""}</small></td></tr>`,
    )
    .join("\n");
  return `<section id="compliance-correlation"><h2>One fix, many controls</h2>
<p>Misconfigurations ranked by the framework controls a single fix closes (every open failure of the control goes away). Exempted findings are left out.</p>
<table><thead><tr><th>#</th><th>Fix</th><th>Controls closed</th><th>Frameworks</th><th>Also reduces</th><th>Resources</th><th>Closed controls</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="7">No failing controls.</td></tr>'}
</tbody></table></section>`;
}
