import type { ArmResource } from "../../../src/domain/resource";
import { prop } from "../../../src/packs/helpers";
import type { Evaluation } from "../../../src/packs/schema";
import { VM, checkProps, eq, isTrue, osType } from "../../_lib/evaluate";

void prop; void eq; void isTrue; void osType;

/** Linux VMs: Healthy when `osProfile.linuxConfiguration.disablePasswordAuthentication` is true. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, [VM], [
    { path: "properties.osProfile.linuxConfiguration.disablePasswordAuthentication", ok: isTrue, expect: "true (SSH keys only)" },
  ], (r) => (osType(r) === "linux" ? undefined : "not a Linux virtual machine"));
}
