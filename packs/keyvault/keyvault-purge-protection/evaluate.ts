import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, isTrue } from "../../_lib/evaluate";

/** Unhealthy unless purge protection is on. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.KeyVault/vaults"], [
    { path: "properties.enablePurgeProtection", ok: isTrue, expect: "true" },
  ]);
}
