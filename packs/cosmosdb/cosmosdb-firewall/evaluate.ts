import type { ArmResource } from "../../../src/domain/resource";
import { compliant, isType, noncompliant, notApplicable, prop } from "../../../src/packs/helpers";
import type { Evaluation } from "../../../src/packs/schema";
import { arr, eq, isTrue } from "../../_lib/evaluate";

/**
 * Healthy when the account is not open to every network: public network access Disabled, the virtual network filter on
 * (`isVirtualNetworkFilterEnabled`), or at least one IP rule (`ipRules`).
 */
export function evaluate(resource: ArmResource): Evaluation {
  if (!isType(resource, "Microsoft.DocumentDB/databaseAccounts")) return notApplicable("not a Cosmos DB account");
  const pna = prop(resource, "properties.publicNetworkAccess");
  if (eq("Disabled")(pna)) return compliant("public network access is Disabled", "properties.publicNetworkAccess", pna);
  const vnet = prop(resource, "properties.isVirtualNetworkFilterEnabled");
  const ips = arr(prop(resource, "properties.ipRules")) ?? [];
  if (isTrue(vnet)) return compliant("the virtual network filter is on", "properties.isVirtualNetworkFilterEnabled", vnet);
  if (ips.length) return compliant(`${ips.length} IP firewall rule(s) restrict access`, "properties.ipRules", ips.length);
  return noncompliant("no firewall rule: public network access is on with no IP rules and no virtual network filter, so any network can connect", "properties.ipRules", []);
}
