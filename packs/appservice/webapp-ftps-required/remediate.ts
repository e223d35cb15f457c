import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ps, sh } from "../../../src/packs/helpers";
import { P, azTarget, buildFixes, psTarget, was } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const p = psTarget(ctx);
  return buildFixes(ctx, {
    packId: "webapp-ftps-required",
    title: "Allow FTPS only for deployments",
    role: "Website Contributor",
    downtime: "none unless a deployment still uses plain FTP",
    az: {
      precheck: `az webapp config show --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query ftpsState`,
      content: `az webapp config set --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --ftps-state FtpsOnly`,
      rollback: `az webapp config set --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --ftps-state ${String(was(ctx, "properties.siteConfig.ftpsState", "AllAllowed"))}`,
    },
    ps: {
      precheck: `$cfg = Get-AzResource -ResourceGroupName ${ps(ctx.resourceGroup)} -ResourceType Microsoft.Web/sites/config -ResourceName ${ps(`${ctx.name}/web`)} -ApiVersion 2023-12-01\n$cfg.Properties.ftpsState`,
      content: `$cfg = Get-AzResource -ResourceGroupName ${ps(ctx.resourceGroup)} -ResourceType Microsoft.Web/sites/config -ResourceName ${ps(`${ctx.name}/web`)} -ApiVersion 2023-12-01\n$cfg.Properties.ftpsState = 'FtpsOnly'\n$cfg | Set-AzResource -Force`,
      rollback: `$cfg = Get-AzResource -ResourceGroupName ${ps(ctx.resourceGroup)} -ResourceType Microsoft.Web/sites/config -ResourceName ${ps(`${ctx.name}/web`)} -ApiVersion 2023-12-01\n$cfg.Properties.ftpsState = '${String(was(ctx, "properties.siteConfig.ftpsState", "AllAllowed"))}'\n$cfg | Set-AzResource -Force`,
    },
    arm: { type: "Microsoft.Web/sites/config", apiVersion: "2023-12-01", name: `${ctx.name}/web`, location: false, properties: { ftpsState: "FtpsOnly" }, rollback: { ftpsState: was(ctx, "properties.siteConfig.ftpsState", "AllAllowed") } },
    tf: { type: "azurerm_linux_web_app", body: 'site_config {\n  ftps_state = "FtpsOnly"\n}', rollback: `site_config {\n  ftps_state = "${String(was(ctx, "properties.siteConfig.ftpsState", "AllAllowed"))}"\n}` },
    policy: {
      displayName: "Web Applications should require FTPS only",
      description: "Audits (or, where allowed, denies) resources that do not meet this setting; drafted by Clarion from the pack's check.",
      category: "App Service",
      if: P.all(P.type("Microsoft.Web/sites"), P.field("Microsoft.Web/sites/siteConfig.ftpsState", "equals", "AllAllowed")),
      effects: ["Audit", "Disabled"],
    },
  });
}
