import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { roleAssignmentPolicy, roleFixes } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return roleFixes(ctx, {
    packId: "identity-max-three-owners",
    title: "Downgrade excess owners to Contributor",
    downtime: "none for workloads; the downgraded people can no longer manage access",
    grant: { roleId: "b24988ac-6180-42a0-ab88-20f7382dd24c", principalParam: "principalId", why: "the owner to downgrade (keeps Contributor)" },
    remove: { roleId: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", principalParam: "principalId", why: "the same owner, whose Owner assignment is removed" },
    policy: roleAssignmentPolicy("Owner role assignments to users should be reviewed", "Audits every assignment of the Owner role to a user, so each one is reviewed.", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
  });
}
