import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, isFalse } from "../../_lib/evaluate";

/** Unhealthy unless anonymous blob access is explicitly disallowed. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.Storage/storageAccounts"], [
    { path: "properties.allowBlobPublicAccess", ok: isFalse, expect: "false (no anonymous access)" },
  ]);
}
