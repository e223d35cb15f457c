import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { privateLinkFixes } from "../../_lib/private-link";

export function remediate(ctx: RemediationContext): Remediation[] {
  return privateLinkFixes(ctx, { packId: "storage-private-link", type: "Microsoft.Storage/storageAccounts", groupId: "blob", serviceRole: "Storage Account Contributor" });
}
