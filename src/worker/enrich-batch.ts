import { frameworkCatalog } from "../compliance/catalog";
import type { Finding } from "../domain/finding";
import type { Assessment } from "../domain/records";
import { parseResourceId } from "../domain/resource";
import { kevLookup } from "../feeds/kev";
import { loadAllPacks } from "../packs/loader";
import { PackRegistry } from "../packs/registry";
import type { Pack } from "../packs/schema";
import { EstateIndex } from "../pipeline/context";
import { type EnrichPorts, enrichFindings } from "../pipeline/enrich";
import { emptyTenant, type NormalizedTenant } from "../pipeline/normalize";

/**
 * What every batch of a run shares: the estate without its assessments, the run's reference time, and the
 * side-analysis maps computed once by the submitter (exposure, attack paths, root causes).
 */
export interface SharedContext {
  now: Date;
  tenant: NormalizedTenant;
  exposure?: Map<string, string>;
  attackPaths?: Map<string, { id: string; summary: string }[]>;
  rootCauses?: Map<string, { changeId: string; caller: string; time: string; operation: string }>;
}

/** Built once per worker process and run: the estate index and the enrich ports. */
export interface EnrichContext {
  index: EstateIndex;
  ports: EnrichPorts;
  packs: Pack[];
}

export async function buildEnrichContext(shared: SharedContext, packs?: Pack[]): Promise<EnrichContext> {
  const loaded = packs ?? (await loadAllPacks()).packs;
  const tenant = { ...emptyTenant(), ...shared.tenant, assessments: [] };
  return {
    index: new EstateIndex(tenant),
    packs: loaded,
    ports: {
      packs: new PackRegistry(loaded),
      frameworks: frameworkCatalog(),
      now: shared.now,
      exposure: shared.exposure,
      attackPaths: shared.attackPaths,
      rootCauses: shared.rootCauses,
      isKnownExploited: (cve: string) => kevLookup(cve) !== undefined,
    },
  };
}

/** The partition a finding belongs to: its subscription and its group (pack id, else assessment key). */
export function partitionOf(registry: Pick<PackRegistry, "match">, a: Assessment): { subscriptionId: string; group: string } {
  const m = registry.match({ assessmentKey: a.assessmentKey, policyDefinitionId: a.policyDefinitionId, displayName: a.displayName });
  return { subscriptionId: parseResourceId(a.resourceId).subscriptionId.toLowerCase(), group: m?.pack.meta.id ?? a.assessmentKey.toLowerCase() };
}

/**
 * Enriches a subset of the run's unhealthy assessments with the same pure stage the single-process
 * pipeline uses. `groupSize` is the size of the whole (subscription, group) the subset was cut from, so
 * remediation drafts state the same blast radius as when the group is enriched in one piece.
 */
export function enrichBatch(ctx: EnrichContext, assessments: Assessment[], groupSize?: number): Finding[] {
  const index = Object.create(ctx.index) as EstateIndex;
  Object.defineProperty(index, "tenant", { value: { ...ctx.index.tenant, assessments } });
  let packs = ctx.ports.packs;
  if (groupSize !== undefined) {
    const wrapped = new Map<string, Pack>();
    packs = {
      match: (q) => {
        const m = ctx.ports.packs.match(q);
        if (!m) return m;
        let p = wrapped.get(m.pack.meta.id);
        if (!p) {
          const inner = m.pack.module;
          p = { ...m.pack, module: { ...inner, remediate: (c) => inner.remediate({ ...c, affectedCount: groupSize }) } };
          wrapped.set(m.pack.meta.id, p);
        }
        return { ...m, pack: p };
      },
    } as PackRegistry;
  }
  return enrichFindings(index, { ...ctx.ports, packs }).findings;
}
