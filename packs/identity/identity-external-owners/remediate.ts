import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { roleAssignmentPolicy, roleFixes } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return roleFixes(ctx, {
    packId: "identity-external-owners",
    title: "Replace the guest's Owner assignment",
    downtime: "none for workloads; the guest loses access",
    grant: { roleId: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", principalParam: "principalId", why: "the internal account that takes over (if the access is still needed)" },
    remove: { roleId: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", principalParam: "guestId", why: "the external account to remove" },
    policy: roleAssignmentPolicy("Owner assignments to users should be reviewed for guests", "Audits Owner assignments to users so guest accounts among them are found and removed.", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
  });
}
