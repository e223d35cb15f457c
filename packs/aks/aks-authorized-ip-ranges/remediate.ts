import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ps, sh } from "../../../src/packs/helpers";
import { P, buildFixes, settingPolicy } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "aks-authorized-ip-ranges",
    title: "Restrict the API server to authorized IP ranges",
    role: "Azure Kubernetes Service Contributor Role",
    downtime: "brief: kubectl from other addresses is refused",
    az: {
      precheck: `az aks show --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query apiServerAccessProfile`,
      content: `az aks update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --api-server-authorized-ip-ranges <office-cidr>,<ci-runner-cidr>`,
      rollback: `az aks update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --api-server-authorized-ip-ranges ""`,
    },
    ps: {
      precheck: `(Get-AzAksCluster -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)}).ApiServerAccessProfile`,
      content: `Set-AzAksCluster -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)} -ApiServerAccessAuthorizedIpRange '<office-cidr>','<ci-runner-cidr>'`,
      rollback: `Set-AzAksCluster -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)} -ApiServerAccessAuthorizedIpRange @()`,
    },
    arm: { type: "Microsoft.ContainerService/managedClusters", apiVersion: "2024-02-01", keep: ["sku"], properties: { apiServerAccessProfile: { authorizedIPRanges: ["<office-cidr>", "<ci-runner-cidr>"] } }, rollback: { apiServerAccessProfile: { authorizedIPRanges: [] } } },
    tf: { type: "azurerm_kubernetes_cluster", body: 'api_server_access_profile {\n  authorized_ip_ranges = ["<office-cidr>", "<ci-runner-cidr>"]\n}', rollback: 'api_server_access_profile {\n  authorized_ip_ranges = []\n}' },
    policy: settingPolicy("Microsoft.ContainerService/managedClusters", "AKS API servers should have authorized IP ranges", "Kubernetes", (a) => [P.field(a("apiServerAccessProfile.enablePrivateCluster"), "notEquals", true), P.any(P.field(a("apiServerAccessProfile.authorizedIPRanges"), "exists", false), { count: { field: a("apiServerAccessProfile.authorizedIPRanges[*]") }, equals: 0 })]),
  });
}
