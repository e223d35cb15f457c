import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { privateLinkFixes } from "../../_lib/private-link";

export function remediate(ctx: RemediationContext): Remediation[] {
  return privateLinkFixes(ctx, { packId: "keyvault-private-link", type: "Microsoft.KeyVault/vaults", groupId: "vault", serviceRole: "Key Vault Contributor" });
}
