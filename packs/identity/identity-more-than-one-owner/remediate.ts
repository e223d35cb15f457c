import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { roleAssignmentPolicy, roleFixes } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return roleFixes(ctx, {
    packId: "identity-more-than-one-owner",
    title: "Add a second subscription owner",
    downtime: "none",
    grant: { roleId: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", principalParam: "principalId", why: "the administrator to make second owner" },
    
    policy: roleAssignmentPolicy("Owner role assignments to users should be reviewed", "Audits every assignment of the Owner role to a user, so each one is reviewed.", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
  });
}
