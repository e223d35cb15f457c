import type { Assessment } from "../domain/records";
import type { ArmResource } from "../domain/resource";
import type { Pack } from "../packs/schema";
import { emptyTenant, type NormalizedTenant } from "../pipeline/normalize";

/**
 * A synthetic, already-normalized estate for scale tests: `findings` unhealthy assessments spread over
 * `subscriptions` subscriptions, each on a resource of a type some pack covers and keyed by that pack's
 * assessment key, so every finding goes through a real pack (explanation + remediation drafts).
 */
export function syntheticTenant(packs: Pack[], opts: { findings: number; subscriptions?: number; perResource?: number }): NormalizedTenant {
  const t = emptyTenant();
  const subs = Math.max(1, opts.subscriptions ?? 10);
  const perResource = Math.max(1, opts.perResource ?? 4);
  const byType = new Map<string, Pack[]>();
  for (const p of packs)
    if (p.meta.assessmentKeys.length) {
      const type = p.meta.resourceTypes[0];
      byType.set(type, [...(byType.get(type) ?? []), p]);
    }
  const types = [...byType.keys()].sort();
  if (!types.length) throw new Error("no pack with an assessment key");
  const now = "2025-03-01T00:00:00Z";
  let made = 0;
  for (let j = 0; made < opts.findings; j++) {
    const type = types[j % types.length];
    const sub = `00000000-0000-4000-8000-${String(j % subs).padStart(12, "0")}`;
    const rg = `rg-app${j % 50}-${j % 3 === 0 ? "prod" : "dev"}`;
    const name = `res${j}`;
    const id = `/subscriptions/${sub}/resourceGroups/${rg}/providers/${type}/${name}`;
    const r: ArmResource = {
      id,
      name,
      type,
      location: "westeurope",
      resourceGroup: rg,
      subscriptionId: sub,
      tags: { env: j % 3 === 0 ? "prod" : "dev", owner: `team${j % 20}@fabrikam.example` },
      properties: {},
    };
    t.resources.push(r);
    const list = byType.get(type) ?? [];
    for (let m = 0; m < Math.min(perResource, list.length) && made < opts.findings; m++, made++) {
      const p = list[(j + m) % list.length];
      const key = p.meta.assessmentKeys[0];
      const a: Assessment = {
        id: `${id}/providers/Microsoft.Security/assessments/${key}`,
        assessmentKey: key,
        resourceId: id,
        displayName: p.meta.title ?? p.meta.id,
        status: "Unhealthy",
        severity: p.meta.severity,
        firstEvaluationDate: now,
        statusChangeDate: now,
      };
      t.assessments.push(a);
    }
  }
  return t;
}
