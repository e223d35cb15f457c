import type { Remediation } from "../../../src/domain/finding";
import { sh } from "../../../src/packs/helpers";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, AUDIT_OR_DENY, buildFixes, psTarget, settingPolicy } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const p = psTarget(ctx);
  return buildFixes(ctx, {
    packId: "appinsights-local-auth-disabled",
    title: "Require Entra ID for telemetry ingestion",
    role: "Application Insights Component Contributor",
    downtime: "brief for SDKs still sending with the instrumentation key only: their telemetry is refused until they authenticate with Entra ID",
    az: {
      precheck: `az monitor app-insights component show --app ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query "{disableLocalAuth:disableLocalAuth}"`,
      content: `az monitor app-insights component update --app ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --set properties.DisableLocalAuth=true`,
      rollback: `az monitor app-insights component update --app ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --set properties.DisableLocalAuth=false`,
    },
    ps: {
      precheck: `Get-AzApplicationInsights ${p} | Select-Object Name, DisableLocalAuth`,
      content: `Update-AzApplicationInsights ${p} -DisableLocalAuth $true`,
      rollback: `Update-AzApplicationInsights ${p} -DisableLocalAuth $false`,
    },
    arm: { type: "Microsoft.Insights/components", apiVersion: "2020-02-02", keep: ["kind"], properties: { DisableLocalAuth: true }, rollback: { DisableLocalAuth: false } },
    tf: { type: "azurerm_application_insights", body: "local_authentication_disabled = true", rollback: "local_authentication_disabled = false" },
    policy: settingPolicy("Microsoft.Insights/components", "Application Insights should require Entra ID for ingestion", "Monitoring", (a) => [P.field(a("DisableLocalAuth"), "notEquals", true)], { description: AUDIT_OR_DENY }),
  });
}
