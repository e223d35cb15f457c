import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { VM, checkProps, isTrue, osType } from "../../_lib/evaluate";

/** Linux VMs: Healthy when `osProfile.linuxConfiguration.disablePasswordAuthentication` is true. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, [VM], [
    { path: "properties.osProfile.linuxConfiguration.disablePasswordAuthentication", ok: isTrue, expect: "true (SSH keys only)" },
  ], (r) => (osType(r) === "linux" ? undefined : "not a Linux virtual machine"));
}
