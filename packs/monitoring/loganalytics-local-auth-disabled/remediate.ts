import type { Remediation } from "../../../src/domain/finding";
import { sh } from "../../../src/packs/helpers";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, AUDIT_OR_DENY, buildFixes, psTarget, settingPolicy } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const p = psTarget(ctx);
  return buildFixes(ctx, {
    packId: "loganalytics-local-auth-disabled",
    title: "Block workspace-key ingestion",
    role: "Log Analytics Contributor",
    downtime: "brief for agents still sending with the workspace key (legacy Log Analytics agent): they stop until moved to the Azure Monitor Agent",
    az: {
      precheck: `az monitor log-analytics workspace show --workspace-name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query "features.disableLocalAuth"`,
      content: `az monitor log-analytics workspace update --workspace-name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --set properties.features.disableLocalAuth=true`,
      rollback: `az monitor log-analytics workspace update --workspace-name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --set properties.features.disableLocalAuth=false`,
    },
    ps: {
      precheck: `Get-AzOperationalInsightsWorkspace ${p} | Select-Object Name, Features`,
      content: `Set-AzOperationalInsightsWorkspace ${p} -DisableLocalAuth $true`,
      rollback: `Set-AzOperationalInsightsWorkspace ${p} -DisableLocalAuth $false`,
    },
    arm: { type: "Microsoft.OperationalInsights/workspaces", apiVersion: "2023-09-01", properties: { features: { disableLocalAuth: true } }, rollback: { features: { disableLocalAuth: false } } },
    tf: { type: "azurerm_log_analytics_workspace", body: "local_authentication_disabled = true", rollback: "local_authentication_disabled = false" },
    policy: settingPolicy("Microsoft.OperationalInsights/workspaces", "Log Analytics workspaces should require Entra ID for ingestion", "Monitoring", (a) => [P.field(a("features.disableLocalAuth"), "notEquals", true)], { description: AUDIT_OR_DENY }),
  });
}
