import type { ArmResource } from "../../../src/domain/resource";
import { prop } from "../../../src/packs/helpers";
import type { Evaluation } from "../../../src/packs/schema";
import { VM, checkProps, eq, isTrue, osType } from "../../_lib/evaluate";

void prop; void eq; void isTrue; void osType;

/** Healthy when `properties.securityProfile.encryptionAtHost` is true. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, [VM], [
    { path: "properties.securityProfile.encryptionAtHost", ok: isTrue, expect: "true" },
  ]);
}
