import type { ArmResource } from "../../../src/domain/resource";
import { prop } from "../../../src/packs/helpers";
import type { Evaluation } from "../../../src/packs/schema";
import { VM, checkProps, eq, isTrue, osType } from "../../_lib/evaluate";

void prop; void eq; void isTrue; void osType;

/** Trusted Launch / Confidential VMs: Healthy when `securityProfile.uefiSettings.vTpmEnabled` is true. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, [VM], [
    { path: "properties.securityProfile.uefiSettings.vTpmEnabled", ok: isTrue, expect: "true" },
  ], (r) => (/^(trustedlaunch|confidentialvm)$/i.test(String(prop(r, "properties.securityProfile.securityType") ?? "")) ? undefined : "not a Trusted Launch or Confidential VM, so Secure Boot and vTPM are not supported"));
}
