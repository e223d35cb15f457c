import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { vmNsgFixes } from "../../_lib/vm-nsg";

export function remediate(ctx: RemediationContext): Remediation[] {
  return vmNsgFixes(ctx, "network-non-internet-facing-vm-nsg");
}
