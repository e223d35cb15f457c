import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ps, sh } from "../../../src/packs/helpers";
import { P, buildFixes, settingPolicy, was } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "keyvault-firewall",
    title: "Deny network access to the vault by default",
    role: "Key Vault Contributor",
    downtime: "brief: callers outside allowed networks are refused",
    az: {
      precheck: `az keyvault show --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query "{publicNetworkAccess: properties.publicNetworkAccess, networkAcls: properties.networkAcls}"`,
      content: `az keyvault update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --default-action Deny --bypass AzureServices`,
      rollback: `az keyvault update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --default-action Allow`,
    },
    ps: {
      precheck: `(Get-AzKeyVault -ResourceGroupName ${ps(ctx.resourceGroup)} -VaultName ${ps(ctx.name)}).NetworkAcls`,
      content: `Update-AzKeyVaultNetworkRuleSet -ResourceGroupName ${ps(ctx.resourceGroup)} -VaultName ${ps(ctx.name)} -DefaultAction Deny -Bypass AzureServices`,
      rollback: `Update-AzKeyVaultNetworkRuleSet -ResourceGroupName ${ps(ctx.resourceGroup)} -VaultName ${ps(ctx.name)} -DefaultAction Allow`,
    },
    arm: { type: "Microsoft.KeyVault/vaults", apiVersion: "2023-07-01", properties: { tenantId: was(ctx, "properties.tenantId", "<tenant-id>"), sku: was(ctx, "properties.sku", { family: "A", name: "standard" }), networkAcls: { defaultAction: "Deny", bypass: "AzureServices" } }, rollback: { tenantId: was(ctx, "properties.tenantId", "<tenant-id>"), sku: was(ctx, "properties.sku", { family: "A", name: "standard" }), networkAcls: { defaultAction: "Allow", bypass: "AzureServices" } } },
    tf: { type: "azurerm_key_vault", body: 'network_acls {\n  default_action = "Deny"\n  bypass         = "AzureServices"\n}', rollback: 'network_acls {\n  default_action = "Allow"\n  bypass         = "AzureServices"\n}' },
    policy: settingPolicy("Microsoft.KeyVault/vaults", "Key vaults should deny public network access by default", "Key Vault", (a) => [P.field(a("publicNetworkAccess"), "notEquals", "Disabled"), P.field(a("networkAcls.defaultAction"), "notEquals", "Deny")]),
  });
}
