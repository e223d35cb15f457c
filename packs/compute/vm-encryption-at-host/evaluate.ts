import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { VM, checkProps, isTrue } from "../../_lib/evaluate";

/** Healthy when `properties.securityProfile.encryptionAtHost` is true. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, [VM], [
    { path: "properties.securityProfile.encryptionAtHost", ok: isTrue, expect: "true" },
  ]);
}
