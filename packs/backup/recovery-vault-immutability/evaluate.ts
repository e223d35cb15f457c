import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, eq } from "../../_lib/evaluate";

/** Healthy when `properties.securitySettings.immutabilitySettings.state` is Unlocked or Locked. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.RecoveryServices/vaults"], [
    { path: "properties.securitySettings.immutabilitySettings.state", ok: eq("Unlocked", "Locked"), expect: "Unlocked or Locked" },
  ]);
}
