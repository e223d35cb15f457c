import type { Remediation } from "../../../src/domain/finding";
import { ps } from "../../../src/packs/helpers";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, AUDIT_OR_DENY, azTarget, buildFixes, psTarget, settingPolicy } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const p = psTarget(ctx);
  return buildFixes(ctx, {
    packId: "aks-defender-profile",
    title: "Enable the Defender profile (sensor) on the cluster",
    role: "Azure Kubernetes Service Contributor Role",
    downtime: "none (the Defender sensor is added as a DaemonSet on each node)",
    az: {
      precheck: `az aks show ${t} --query securityProfile.defender\n# LAW_ID: id of the Log Analytics workspace for the sensor's data`,
      content: `az aks update ${t} --enable-defender --defender-config "$LAW_CONFIG_FILE"`,
      rollback: `az aks update ${t} --disable-defender`,
    },
    ps: {
      precheck: `Get-AzAksCluster ${p} | Select-Object Name, SecurityProfile`,
      content: `Set-AzResource -ResourceId ${ps(ctx.resource.id)} -ApiVersion '2024-05-01' -Properties @{ securityProfile = @{ defender = @{ logAnalyticsWorkspaceResourceId = $env:LAW_ID; securityMonitoring = @{ enabled = $true } } } } -Force`,
      rollback: `Set-AzResource -ResourceId ${ps(ctx.resource.id)} -ApiVersion '2024-05-01' -Properties @{ securityProfile = @{ defender = @{ securityMonitoring = @{ enabled = $false } } } } -Force`,
    },
    arm: { type: "Microsoft.ContainerService/managedClusters", apiVersion: "2024-05-01", keep: ["sku"], params: { lawId: "Id of the Log Analytics workspace" }, properties: { securityProfile: { defender: { logAnalyticsWorkspaceResourceId: "{{lawId}}", securityMonitoring: { enabled: true } } } }, rollback: { securityProfile: { defender: { securityMonitoring: { enabled: false } } } } },
    tf: { type: "azurerm_kubernetes_cluster", vars: { law_id: "Id of the Log Analytics workspace" }, body: "microsoft_defender {\n  log_analytics_workspace_id = var.law_id\n}", rollback: "# remove the microsoft_defender block" },
    policy: settingPolicy("Microsoft.ContainerService/managedClusters", "AKS clusters should have the Defender profile enabled", "Kubernetes", (a) => [P.field(a("securityProfile.defender.securityMonitoring.enabled"), "notEquals", true)], { effects: ["Audit", "Disabled"], description: AUDIT_OR_DENY }),
  });
}
