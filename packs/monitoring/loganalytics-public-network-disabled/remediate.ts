import type { Remediation } from "../../../src/domain/finding";
import { sh } from "../../../src/packs/helpers";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, AUDIT_OR_DENY, buildFixes, flag, psTarget, settingPolicy, was, psWord } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const p = psTarget(ctx);
  return buildFixes(ctx, {
    packId: "loganalytics-public-network-disabled",
    title: "Block public log ingestion and queries",
    role: "Log Analytics Contributor",
    downtime: "planned: agents and users outside the private link scope can no longer send or query logs",
    az: {
      precheck: `az monitor log-analytics workspace show --workspace-name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query "{ingestion:publicNetworkAccessForIngestion, query:publicNetworkAccessForQuery}"`,
      content: `az monitor log-analytics workspace update --workspace-name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --ingestion-access Disabled --query-access Disabled`,
      rollback: `az monitor log-analytics workspace update --workspace-name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --ingestion-access ${flag(String(was(ctx, "properties.publicNetworkAccessForIngestion", "Enabled")))} --query-access ${flag(String(was(ctx, "properties.publicNetworkAccessForQuery", "Enabled")))}`,
    },
    ps: {
      precheck: `Get-AzOperationalInsightsWorkspace ${p} | Select-Object Name, PublicNetworkAccessForIngestion, PublicNetworkAccessForQuery`,
      content: `Set-AzOperationalInsightsWorkspace ${p} -PublicNetworkAccessForIngestion Disabled -PublicNetworkAccessForQuery Disabled`,
      rollback: `Set-AzOperationalInsightsWorkspace ${p} -PublicNetworkAccessForIngestion ${psWord(String(was(ctx, "properties.publicNetworkAccessForIngestion", "Enabled")))} -PublicNetworkAccessForQuery ${psWord(String(was(ctx, "properties.publicNetworkAccessForQuery", "Enabled")))}`,
    },
    arm: { type: "Microsoft.OperationalInsights/workspaces", apiVersion: "2023-09-01", properties: { publicNetworkAccessForIngestion: "Disabled", publicNetworkAccessForQuery: "Disabled" }, rollback: { publicNetworkAccessForIngestion: was(ctx, "properties.publicNetworkAccessForIngestion", "Enabled"), publicNetworkAccessForQuery: was(ctx, "properties.publicNetworkAccessForQuery", "Enabled") } },
    tf: { type: "azurerm_log_analytics_workspace", body: "internet_ingestion_enabled = false\ninternet_query_enabled     = false", rollback: "internet_ingestion_enabled = true\ninternet_query_enabled     = true" },
    policy: settingPolicy("Microsoft.OperationalInsights/workspaces", "Log Analytics workspaces should block public ingestion and queries", "Monitoring", (a) => [P.any(P.field(a("publicNetworkAccessForIngestion"), "notEquals", "Disabled"), P.field(a("publicNetworkAccessForQuery"), "notEquals", "Disabled"))], { description: AUDIT_OR_DENY }),
  });
}
