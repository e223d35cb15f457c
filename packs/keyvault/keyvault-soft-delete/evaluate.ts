import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, isTrue } from "../../_lib/evaluate";

/** Unhealthy when soft delete is explicitly off (it is on by default for new vaults). */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.KeyVault/vaults"], [
    { path: "properties.enableSoftDelete", ok: isTrue, expect: "true", missing: "pass" },
  ]);
}
