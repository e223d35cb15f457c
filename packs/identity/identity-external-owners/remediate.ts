import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { guestRoleFixes } from "../../_lib/identity";

export function remediate(ctx: RemediationContext): Remediation[] {
  return guestRoleFixes(ctx, { packId: "identity-external-owners", role: "Owner" });
}
