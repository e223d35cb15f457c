import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, isFalse } from "../../_lib/evaluate";

/** Unhealthy unless shared key authorization is explicitly turned off. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.Storage/storageAccounts"], [
    { path: "properties.allowSharedKeyAccess", ok: isFalse, expect: "false (Entra ID only)" },
  ]);
}
