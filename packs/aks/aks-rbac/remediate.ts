import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ps, sh } from "../../../src/packs/helpers";
import { P, buildFixes, settingPolicy } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "aks-rbac",
    title: "Rebuild the cluster with Kubernetes RBAC",
    role: "Azure Kubernetes Service Contributor Role",
    downtime: "planned: RBAC is fixed at creation; workloads move to a new cluster",
    az: {
      precheck: `az aks show --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query enableRbac`,
      content: `# enableRBAC cannot be changed in place: create a replacement cluster with RBAC and Entra integration, then migrate workloads\naz aks create --name ${sh(ctx.name)}-rbac --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --enable-aad --enable-azure-rbac --generate-ssh-keys`,
      rollback: `az aks delete --name ${sh(ctx.name)}-rbac --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --yes  # keep the original cluster until the migration is verified`,
    },
    ps: {
      precheck: `(Get-AzAksCluster -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)}).EnableRBAC`,
      content: `New-AzAksCluster -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(`${ctx.name}-rbac`)} -GenerateSshKey -EnableRbac`,
      rollback: `Remove-AzAksCluster -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(`${ctx.name}-rbac`)} -Force`,
    },
    arm: { type: "Microsoft.ContainerService/managedClusters", apiVersion: "2024-02-01", keep: ["sku"], name: `${ctx.name}-rbac`, rollbackText: `Delete the replacement cluster if the migration is abandoned: az aks delete --name ${sh(ctx.name)}-rbac --resource-group ${sh(ctx.resourceGroup)} --yes`, properties: { dnsPrefix: `${ctx.name}-rbac`, enableRBAC: true, aadProfile: { managed: true, enableAzureRBAC: true }, agentPoolProfiles: [{ name: "system", mode: "System", count: 3, vmSize: "Standard_D4ds_v5" }] }, rollback: {} },
    tf: { type: "azurerm_kubernetes_cluster", body: 'role_based_access_control_enabled = true  # forces replacement: plan a migration', rollback: 'role_based_access_control_enabled = false' },
    policy: settingPolicy("Microsoft.ContainerService/managedClusters", "AKS clusters should use Kubernetes RBAC", "Kubernetes", (a) => [P.field(a("enableRBAC"), "equals", false)]),
  });
}
