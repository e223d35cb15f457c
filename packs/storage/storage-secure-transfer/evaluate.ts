import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, isTrue } from "../../_lib/evaluate";

/** Unhealthy when the account accepts plain HTTP. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.Storage/storageAccounts"], [
    { path: "properties.supportsHttpsTrafficOnly", ok: isTrue, expect: "true (HTTPS only)", missing: "pass" },
  ]);
}
