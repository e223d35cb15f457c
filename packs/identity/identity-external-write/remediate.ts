import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { roleAssignmentPolicy, roleFixes } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return roleFixes(ctx, {
    packId: "identity-external-write",
    title: "Replace the guest's Contributor assignment",
    downtime: "none for workloads; the guest loses access",
    grant: { roleId: "b24988ac-6180-42a0-ab88-20f7382dd24c", principalParam: "principalId", why: "the internal account that takes over (if the access is still needed)" },
    remove: { roleId: "b24988ac-6180-42a0-ab88-20f7382dd24c", principalParam: "guestId", why: "the external account to remove" },
    policy: roleAssignmentPolicy("Contributor assignments to users should be reviewed for guests", "Audits Contributor assignments to users so guest accounts among them are found and removed.", "b24988ac-6180-42a0-ab88-20f7382dd24c"),
  });
}
