import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, eq } from "../../_lib/evaluate";

/** Unhealthy unless encryption uses a key from Key Vault. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.Storage/storageAccounts"], [
    { path: "properties.encryption.keySource", ok: eq("Microsoft.Keyvault"), expect: "Microsoft.Keyvault (customer-managed key)", missing: "fail" },
  ]);
}
