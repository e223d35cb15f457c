import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ps, sh } from "../../../src/packs/helpers";
import { P, buildFixes, settingPolicy } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "acr-admin-user-disabled",
    title: "Disable the registry's admin account",
    role: "Contributor",
    downtime: "planned: clients using the admin password fail until moved to identities",
    az: {
      precheck: `az acr show --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query adminUserEnabled`,
      content: `az acr update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --admin-enabled false`,
      rollback: `az acr update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --admin-enabled true`,
    },
    ps: {
      precheck: `(Get-AzContainerRegistry -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)}).AdminUserEnabled`,
      content: `Update-AzContainerRegistry -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)} -DisableAdminUser`,
      rollback: `Update-AzContainerRegistry -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)} -EnableAdminUser`,
    },
    arm: { type: "Microsoft.ContainerRegistry/registries", apiVersion: "2023-07-01", keep: ["sku"], properties: { adminUserEnabled: false }, rollback: { adminUserEnabled: true } },
    tf: { type: "azurerm_container_registry", body: 'admin_enabled = false', rollback: 'admin_enabled = true' },
    policy: settingPolicy("Microsoft.ContainerRegistry/registries", "Container registries should have the admin account disabled", "Container Registry", (a) => [P.field(a("adminUserEnabled"), "equals", true)]),
  });
}
