import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { vmSettingFixes } from "../../_lib/vm-security";

export function remediate(ctx: RemediationContext): Remediation[] {
  return vmSettingFixes(ctx, { packId: "vm-vtpm", setting: "vtpm" });
}
