import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ps, sh } from "../../../src/packs/helpers";
import { P, buildFixes, settingPolicy, was } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "keyvault-rbac-authorization",
    title: "Switch the vault to the RBAC permission model",
    role: "Key Vault Contributor + User Access Administrator",
    downtime: "planned: identities with only access policies lose access until given roles",
    az: {
      precheck: `az keyvault show --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query "{rbac: properties.enableRbacAuthorization, accessPolicies: length(properties.accessPolicies)}"`,
      content: `az keyvault update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --enable-rbac-authorization true`,
      rollback: `az keyvault update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --enable-rbac-authorization false`,
    },
    ps: {
      precheck: `Get-AzKeyVault -ResourceGroupName ${ps(ctx.resourceGroup)} -VaultName ${ps(ctx.name)} | Select-Object VaultName, EnableRbacAuthorization, AccessPolicies`,
      content: `Update-AzKeyVault -ResourceGroupName ${ps(ctx.resourceGroup)} -VaultName ${ps(ctx.name)} -EnableRbacAuthorization $true`,
      rollback: `Update-AzKeyVault -ResourceGroupName ${ps(ctx.resourceGroup)} -VaultName ${ps(ctx.name)} -EnableRbacAuthorization $false`,
    },
    arm: { type: "Microsoft.KeyVault/vaults", apiVersion: "2023-07-01", properties: { tenantId: was(ctx, "properties.tenantId", "<tenant-id>"), sku: was(ctx, "properties.sku", { family: "A", name: "standard" }), enableRbacAuthorization: true }, rollback: { tenantId: was(ctx, "properties.tenantId", "<tenant-id>"), sku: was(ctx, "properties.sku", { family: "A", name: "standard" }), enableRbacAuthorization: false } },
    tf: { type: "azurerm_key_vault", body: 'enable_rbac_authorization = true', rollback: 'enable_rbac_authorization = false' },
    policy: settingPolicy("Microsoft.KeyVault/vaults", "Key vaults should use the RBAC permission model", "Key Vault", (a) => [P.any(P.field(a("enableRbacAuthorization"), "exists", false), P.field(a("enableRbacAuthorization"), "equals", false))]),
  });
}
