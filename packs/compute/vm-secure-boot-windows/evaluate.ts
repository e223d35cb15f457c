import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { trustedLaunchEvaluate } from "../../_lib/vm-security";

/** Trusted Launch / Confidential VMs running Windows: Healthy when `securityProfile.uefiSettings.secureBootEnabled` is true. */
export function evaluate(resource: ArmResource): Evaluation {
  return trustedLaunchEvaluate(resource, "secureBoot", "windows");
}
