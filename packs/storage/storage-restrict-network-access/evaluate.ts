import type { ArmResource } from "../../../src/domain/resource";
import { compliant, isType, noncompliant, notApplicable, prop } from "../../../src/packs/helpers";
import type { Evaluation } from "../../../src/packs/schema";

/** Unhealthy when the storage firewall's default action lets every network in. */
export function evaluate(resource: ArmResource): Evaluation {
  if (!isType(resource, "Microsoft.Storage/storageAccounts")) return notApplicable("not a storage account");
  const path = "properties.networkAcls.defaultAction";
  const action = prop(resource, path);
  if (prop(resource, "properties.publicNetworkAccess") === "Disabled")
    return compliant("public network access is disabled", "properties.publicNetworkAccess", "Disabled");
  if (typeof action !== "string" || action.toLowerCase() === "allow")
    return noncompliant(`firewall default action is ${action ?? "unset (Allow)"}`, path, action ?? null);
  return compliant(`firewall default action is ${action}`, path, action);
}
