import type { ArmResource } from "../../../src/domain/resource";
import { compliant, isType, notApplicable, prop } from "../../../src/packs/helpers";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, eq } from "../../_lib/evaluate";

/** Unhealthy when public access is allowed and the firewall's default action is Allow. */
export function evaluate(resource: ArmResource): Evaluation {
  if (!isType(resource, "Microsoft.Storage/storageAccounts")) return notApplicable("not a storage account");
  if (String(prop(resource, "properties.publicNetworkAccess") ?? "").toLowerCase() === "disabled")
    return compliant("public network access is disabled", "properties.publicNetworkAccess", "Disabled");
  return checkProps(resource, ["Microsoft.Storage/storageAccounts"], [
    { path: "properties.networkAcls.defaultAction", ok: eq("Deny"), expect: "Deny" },
  ]);
}
