import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ps, sh } from "../../../src/packs/helpers";
import { P, buildFixes, settingPolicy } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "aks-azure-policy-addon",
    title: "Enable the Azure Policy add-on",
    role: "Azure Kubernetes Service Contributor Role",
    downtime: "none",
    az: {
      precheck: `az aks show --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query addonProfiles.azurepolicy`,
      content: `az aks enable-addons --addons azure-policy --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)}`,
      rollback: `az aks disable-addons --addons azure-policy --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)}`,
    },
    ps: {
      precheck: `(Get-AzAksCluster -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)}).AddonProfiles`,
      content: `Enable-AzAksAddon -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)} -Addon AzurePolicy`,
      rollback: `Disable-AzAksAddon -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)} -Addon AzurePolicy`,
    },
    arm: { type: "Microsoft.ContainerService/managedClusters", apiVersion: "2024-02-01", keep: ["sku"], properties: { addonProfiles: { azurepolicy: { enabled: true } } }, rollback: { addonProfiles: { azurepolicy: { enabled: false } } } },
    tf: { type: "azurerm_kubernetes_cluster", body: 'azure_policy_enabled = true', rollback: 'azure_policy_enabled = false' },
    policy: settingPolicy("Microsoft.ContainerService/managedClusters", "AKS clusters should have the Azure Policy add-on", "Kubernetes", (a) => [P.field(a("addonProfiles.azurepolicy.enabled"), "notEquals", true)], { effects: ["Audit", "Disabled"] }),
  });
}
