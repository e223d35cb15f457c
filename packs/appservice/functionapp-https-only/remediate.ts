import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ps, sh } from "../../../src/packs/helpers";
import { P, azTarget, buildFixes, psTarget, was } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const p = psTarget(ctx);
  return buildFixes(ctx, {
    packId: "functionapp-https-only",
    title: "Serve the app over HTTPS only",
    role: "Website Contributor",
    downtime: "none; HTTP requests are redirected",
    az: {
      precheck: `az functionapp show --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query httpsOnly`,
      content: `az functionapp update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --set httpsOnly=true`,
      rollback: `az functionapp update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --set httpsOnly=false`,
    },
    ps: {
      precheck: `(Get-AzWebApp -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)}).HttpsOnly`,
      content: `Set-AzWebApp -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)} -HttpsOnly $true`,
      rollback: `Set-AzWebApp -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)} -HttpsOnly $false`,
    },
    arm: { type: "Microsoft.Web/sites", apiVersion: "2023-12-01", keep: ["kind"], properties: { httpsOnly: true, serverFarmId: was(ctx, "properties.serverFarmId", "<app-service-plan-id>") }, rollback: { httpsOnly: false, serverFarmId: was(ctx, "properties.serverFarmId", "<app-service-plan-id>") } },
    tf: { type: "azurerm_linux_function_app", body: 'https_only = true', rollback: 'https_only = false' },
    policy: {
      displayName: "Function App should only be accessible over HTTPS",
      description: "Audits (or, where allowed, denies) resources that do not meet this setting; drafted by Clarion from the pack's check.",
      category: "App Service",
      if: P.all(P.type("Microsoft.Web/sites"), P.field("Microsoft.Web/sites/httpsOnly", "notEquals", true)),
      effects: ["Audit", "Deny", "Disabled"],
    },
  });
}
