import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { roleAssignmentPolicy, roleFixes } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return roleFixes(ctx, {
    packId: "identity-external-read",
    title: "Replace the guest's Reader assignment",
    downtime: "none for workloads; the guest loses access",
    grant: { roleId: "acdd72a7-3385-48ef-bd42-f606fba81ae7", principalParam: "principalId", why: "the internal account that takes over (if the access is still needed)" },
    remove: { roleId: "acdd72a7-3385-48ef-bd42-f606fba81ae7", principalParam: "guestId", why: "the external account to remove" },
    policy: roleAssignmentPolicy("Reader assignments to users should be reviewed for guests", "Audits Reader assignments to users so guest accounts among them are found and removed.", "acdd72a7-3385-48ef-bd42-f606fba81ae7"),
  });
}
