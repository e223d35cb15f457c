import type { ArmResource } from "../../../src/domain/resource";
import { compliant, isType, notApplicable, prop } from "../../../src/packs/helpers";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, eq } from "../../_lib/evaluate";

/** Healthy when public network access is disabled or the firewall denies by default. */
export function evaluate(resource: ArmResource): Evaluation {
  if (!isType(resource, "Microsoft.KeyVault/vaults")) return notApplicable("not a key vault");
  if (String(prop(resource, "properties.publicNetworkAccess") ?? "").toLowerCase() === "disabled")
    return compliant("public network access is disabled", "properties.publicNetworkAccess", "Disabled");
  return checkProps(resource, ["Microsoft.KeyVault/vaults"], [{ path: "properties.networkAcls.defaultAction", ok: eq("Deny"), expect: "Deny" }]);
}
