import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, nonEmpty } from "../../_lib/evaluate";

/** Healthy when `properties.keyVaultKeyUri` is set (customer-managed key). */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.DocumentDB/databaseAccounts"], [
    { path: "properties.keyVaultKeyUri", ok: nonEmpty, expect: "a Key Vault key URI" },
  ]);
}
