import type { Remediation } from "../../src/domain/finding";
import type { RemediationContext } from "../../src/packs/schema";
import { ROLE } from "./evaluate";
import { roleAssignmentPolicy, roleFixes } from "./remediate";

const ROLE_ID = { Owner: ROLE.owner, Contributor: ROLE.contributor, Reader: ROLE.reader } as const;

/**
 * Drafts replacing a guest's subscription role assignment: the same role goes to an internal account the operator names
 * (when the access is still needed) and the guest's assignment is removed.
 */
export function guestRoleFixes(ctx: RemediationContext, s: { packId: string; role: keyof typeof ROLE_ID }): Remediation[] {
  const roleId = ROLE_ID[s.role];
  return roleFixes(ctx, {
    packId: s.packId,
    title: `Replace the guest's ${s.role} assignment`,
    downtime: "none for workloads; the guest loses access",
    grant: { roleId, principalParam: "principalId", why: "the internal account that takes over (if the access is still needed)" },
    remove: { roleId, principalParam: "guestId", why: "the external account to remove" },
    policy: roleAssignmentPolicy(
      `${s.role} assignments to users should be reviewed for guests`,
      `Audits ${s.role} assignments to users so guest accounts among them are found and removed.`,
      roleId,
    ),
  });
}
