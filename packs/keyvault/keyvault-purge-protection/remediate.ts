import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ps, sh } from "../../../src/packs/helpers";
import { P, buildFixes, settingPolicy, was } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "keyvault-purge-protection",
    title: "Turn on purge protection",
    role: "Key Vault Contributor",
    downtime: "none",
    az: {
      precheck: `az keyvault show --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query properties.enablePurgeProtection`,
      content: `az keyvault update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --enable-purge-protection true`,
      rollback: `# Purge protection cannot be turned off once on (by design). To limit impact, keep the soft-delete retention at its minimum:\naz keyvault show --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query properties.softDeleteRetentionInDays`,
    },
    ps: {
      precheck: `(Get-AzKeyVault -ResourceGroupName ${ps(ctx.resourceGroup)} -VaultName ${ps(ctx.name)}).EnablePurgeProtection`,
      content: `Update-AzKeyVault -ResourceGroupName ${ps(ctx.resourceGroup)} -VaultName ${ps(ctx.name)} -EnablePurgeProtection`,
      rollback: `# Purge protection is irreversible by design; nothing to roll back. Review with:\nGet-AzKeyVault -ResourceGroupName ${ps(ctx.resourceGroup)} -VaultName ${ps(ctx.name)}`,
    },
    arm: { type: "Microsoft.KeyVault/vaults", apiVersion: "2023-07-01", rollbackText: "Purge protection cannot be disabled once enabled (Azure enforces this); there is no template rollback.", properties: { tenantId: was(ctx, "properties.tenantId", "<tenant-id>"), sku: was(ctx, "properties.sku", { family: "A", name: "standard" }), enablePurgeProtection: true }, rollback: {} },
    tf: { type: "azurerm_key_vault", body: 'purge_protection_enabled = true', rollback: '', rollbackRaw: "# purge_protection_enabled cannot be set back to false once true; Azure rejects it. No rollback." },
    policy: settingPolicy("Microsoft.KeyVault/vaults", "Key vaults should have purge protection enabled", "Key Vault", (a) => [P.any(P.field(a("enablePurgeProtection"), "exists", false), P.field(a("enablePurgeProtection"), "equals", false))]),
  });
}
