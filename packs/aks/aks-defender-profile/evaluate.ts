import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, isTrue } from "../../_lib/evaluate";

/** Healthy when `properties.securityProfile.defender.securityMonitoring.enabled` is true. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.ContainerService/managedClusters"], [
    { path: "properties.securityProfile.defender.securityMonitoring.enabled", ok: isTrue, expect: "true" },
  ]);
}
