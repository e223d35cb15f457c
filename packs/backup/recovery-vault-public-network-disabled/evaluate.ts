import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, eq } from "../../_lib/evaluate";

/** Healthy when `properties.publicNetworkAccess` is Disabled. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.RecoveryServices/vaults"], [
    { path: "properties.publicNetworkAccess", ok: eq("Disabled"), expect: "Disabled" },
  ]);
}
