import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, isTrue, nonEmpty } from "../../_lib/evaluate";

/** Healthy when `properties.enableDdosProtection` is true and a DDoS protection plan is linked. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.Network/virtualNetworks"], [
    { path: "properties.enableDdosProtection", ok: isTrue, expect: "true" },
    { path: "properties.ddosProtectionPlan.id", ok: nonEmpty, expect: "a DDoS protection plan" },
  ]);
}
