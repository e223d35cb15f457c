import type { ArmResource } from "../../../src/domain/resource";
import { compliant, isType, noncompliant, notApplicable, prop } from "../../../src/packs/helpers";
import type { Evaluation } from "../../../src/packs/schema";
import { arr } from "../../_lib/evaluate";

/** Subnets Azure does not allow (or does not need) an NSG on. */
const EXEMPT = new Set(["gatewaysubnet", "azurefirewallsubnet", "azurefirewallmanagementsubnet", "routeserversubnet"]);

/**
 * Subnet rows: Unhealthy without `properties.networkSecurityGroup.id`. Virtual network rows (where inventories embed the
 * subnets): Unhealthy when any non-exempt subnet in `properties.subnets` has none.
 */
export function evaluate(resource: ArmResource): Evaluation {
  if (isType(resource, "Microsoft.Network/virtualNetworks/subnets")) {
    if (EXEMPT.has(resource.name.split("/").pop()?.toLowerCase() ?? "")) return notApplicable(`${resource.name} is a platform subnet that does not take an NSG`);
    const id = prop(resource, "properties.networkSecurityGroup.id");
    return id ? compliant("the subnet has an NSG", "properties.networkSecurityGroup.id", id) : noncompliant("the subnet has no NSG", "properties.networkSecurityGroup.id", null);
  }
  if (!isType(resource, "Microsoft.Network/virtualNetworks")) return notApplicable("not a virtual network or subnet");
  const subnets = (arr(prop(resource, "properties.subnets")) ?? []).filter((s) => !EXEMPT.has(String(prop(s, "name") ?? "").toLowerCase()));
  if (subnets.length === 0) return notApplicable("the virtual network has no subnets that take an NSG");
  const bare = subnets.filter((s) => !prop(s, "properties.networkSecurityGroup.id")).map((s) => String(prop(s, "name")));
  if (bare.length) return noncompliant(`${bare.length} of ${subnets.length} subnet(s) have no NSG: ${bare.join(", ")}`, "properties.subnets[*].properties.networkSecurityGroup.id", bare);
  return compliant(`all ${subnets.length} subnet(s) have an NSG`, "properties.subnets[*].properties.networkSecurityGroup.id", subnets.length);
}
