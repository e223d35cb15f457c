import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ps, sh } from "../../../src/packs/helpers";
import { P, buildFixes, settingPolicy, was } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "keyvault-soft-delete",
    title: "Turn on soft delete",
    role: "Key Vault Contributor",
    downtime: "none",
    az: {
      precheck: `az keyvault show --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query properties.enableSoftDelete`,
      content: `az keyvault update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --set properties.enableSoftDelete=true`,
      rollback: `# Soft delete cannot be turned off once on; nothing to roll back.\naz keyvault show --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query properties.softDeleteRetentionInDays`,
    },
    ps: {
      precheck: `(Get-AzKeyVault -ResourceGroupName ${ps(ctx.resourceGroup)} -VaultName ${ps(ctx.name)}).EnableSoftDelete`,
      content: `$kv = Get-AzResource -ResourceId ${ps(ctx.resource.id)}\n$kv.Properties | Add-Member -NotePropertyName enableSoftDelete -NotePropertyValue $true -Force\n$kv | Set-AzResource -Force`,
      rollback: `# Soft delete is irreversible by design; nothing to roll back.\nGet-AzKeyVault -ResourceGroupName ${ps(ctx.resourceGroup)} -VaultName ${ps(ctx.name)}`,
    },
    arm: { type: "Microsoft.KeyVault/vaults", apiVersion: "2023-07-01", rollbackText: "Soft delete cannot be disabled once enabled; there is no template rollback.", properties: { tenantId: was(ctx, "properties.tenantId", "<tenant-id>"), sku: was(ctx, "properties.sku", { family: "A", name: "standard" }), enableSoftDelete: true, softDeleteRetentionInDays: 90 }, rollback: {} },
    tf: { type: "azurerm_key_vault", body: 'soft_delete_retention_days = 90', rollback: '', rollbackRaw: "# Soft delete cannot be turned off once on; no rollback." },
    policy: settingPolicy("Microsoft.KeyVault/vaults", "Key vaults should have soft delete enabled", "Key Vault", (a) => [P.field(a("enableSoftDelete"), "equals", false)]),
  });
}
