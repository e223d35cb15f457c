import { findRootCauses } from "../changes/root-cause";
import { kevLookup } from "../feeds/kev";
import { computeExposure, findAttackPaths, type AttackPath } from "../graph/index";
import { renderPathsSection } from "../reports/paths-section";
import type { EnrichPorts } from "./enrich";
import { findingId } from "./finding-id";
import type { NormalizedTenant } from "./normalize";

/**
 * Side analyses feeding the dossier: exposure graph and attack paths (src/graph), drift root causes
 * (src/changes), and known-exploited CVEs (src/feeds). Each is isolated: one that fails is recorded in
 * `errors` and the run goes on without it.
 */
export interface SideAnalyses {
  ports: Partial<EnrichPorts>;
  htmlSections: string[];
  attackPaths: AttackPath[];
  errors: { analysis: string; message: string }[];
}

export async function loadSideAnalyses(tenant: NormalizedTenant, now: Date, onStage: (stage: string) => void = () => {}): Promise<SideAnalyses> {
  const out: SideAnalyses = { ports: {}, htmlSections: [], attackPaths: [], errors: [] };
  const attempt = (analysis: string, fn: () => void) => {
    try {
      onStage(analysis);
      fn();
    } catch (e) {
      out.errors.push({ analysis, message: (e as Error).message });
    }
  };
  attempt("exposure", () => {
    const exposure = new Map<string, string>();
    for (const e of computeExposure(tenant.resources)) {
      const key = e.resourceId.toLowerCase();
      const text = `${e.protocol === "*" ? "" : `${e.protocol} `}port${e.ports.length > 1 ? "s" : ""} ${e.ports.join(", ")} open to ${e.sources}`;
      exposure.set(key, exposure.has(key) ? `${exposure.get(key)}; ${text}` : text);
    }
    out.ports.exposure = exposure;
  });
  attempt("paths", () => {
    const paths = findAttackPaths(tenant.resources, { alerts: tenant.alerts, subAssessments: tenant.subAssessments, now, topPerTarget: 3 });
    out.attackPaths = paths;
    // Per resource: the paths through it, riskiest first, each as a short chain of names plus the path's own reason.
    const names = new Map(tenant.resources.map((r) => [r.id.toLowerCase(), r.name]));
    const byResource = new Map<string, { id: string; summary: string }[]>();
    for (const p of paths) {
      const chain = ["the Internet", ...p.hops.map((h) => names.get(h.toLowerCase()) ?? h.split("/").pop() ?? h)].join(" → ");
      const reason = p.reasons[0] ? `; ${p.reasons[0]}` : "";
      for (const h of new Set(p.hops.map((x) => x.toLowerCase()))) {
        const list = byResource.get(h) ?? [];
        list.push({ id: p.id, summary: `${chain} (path risk ${Math.round(p.risk)}${reason})` });
        byResource.set(h, list);
      }
    }
    out.ports.attackPaths = byResource;
    out.htmlSections.push(renderPathsSection(paths, tenant.resources));
  });
  attempt("changes", () => {
    const unhealthy = tenant.assessments.filter((a) => a.status === "Unhealthy").map((a) => ({ id: findingId(a.id), resourceId: a.resourceId, statusChangeDate: a.statusChangeDate ?? null, status: a.status }));
    const causes = findRootCauses(unhealthy, tenant.activity, { resources: tenant.resources });
    const map = new Map<string, { changeId: string; caller: string; time: string; operation: string }>();
    for (const [id, c] of Object.entries(causes)) map.set(id, { changeId: c.changeId, caller: c.caller, time: c.time, operation: c.operation });
    out.ports.rootCauses = map;
  });
  attempt("kev", () => {
    out.ports.isKnownExploited = (cve: string) => kevLookup(cve) !== undefined;
  });
  return out;
}
