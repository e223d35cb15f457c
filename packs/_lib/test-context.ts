import type { ArmResource } from "../../src/domain/resource";
import type { RemediationContext } from "../../src/packs/schema";

/** A resource in rg/s1 and the remediation context the pipeline would build for it (tests of the builders). */
export function testContext(type: string, name: string, extra: Partial<ArmResource> = {}): RemediationContext {
  const sub = extra.subscriptionId ?? "s1";
  const rg = extra.resourceGroup ?? "rg";
  const id = extra.id ?? `/subscriptions/${sub}/resourceGroups/${rg}/providers/${type}/${name}`;
  const resource: ArmResource = { location: "westeurope", ...extra, id, type, name, resourceGroup: rg, subscriptionId: sub };
  return { resource, subscriptionId: sub, resourceGroup: rg, name, location: resource.location, affectedCount: 1 };
}
