import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, isTrue } from "../../_lib/evaluate";

/** Unhealthy unless the vault uses the RBAC permission model. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.KeyVault/vaults"], [
    { path: "properties.enableRbacAuthorization", ok: isTrue, expect: "true (RBAC permission model)" },
  ]);
}
