import type { ArmResource } from "../../../src/domain/resource";
import { compliant, isType, notApplicable, prop } from "../../../src/packs/helpers";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, eq } from "../../_lib/evaluate";

/** Healthy when public access is disabled or the network rule set denies by default. */
export function evaluate(resource: ArmResource): Evaluation {
  if (!isType(resource, "Microsoft.ContainerRegistry/registries")) return notApplicable("not a container registry");
  if (String(prop(resource, "properties.publicNetworkAccess") ?? "").toLowerCase() === "disabled")
    return compliant("public network access is disabled", "properties.publicNetworkAccess", "Disabled");
  return checkProps(resource, ["Microsoft.ContainerRegistry/registries"], [{ path: "properties.networkRuleSet.defaultAction", ok: eq("Deny"), expect: "Deny" }]);
}
