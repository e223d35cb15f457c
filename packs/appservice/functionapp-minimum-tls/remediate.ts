import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ps, sh } from "../../../src/packs/helpers";
import { P, azTarget, buildFixes, psTarget, was } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const p = psTarget(ctx);
  return buildFixes(ctx, {
    packId: "functionapp-minimum-tls",
    title: "Require TLS 1.2 or newer",
    role: "Website Contributor",
    downtime: "none for current clients",
    az: {
      precheck: `az functionapp config show --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query minTlsVersion`,
      content: `az functionapp config set --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --min-tls-version 1.2`,
      rollback: `az functionapp config set --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --min-tls-version ${String(was(ctx, "properties.siteConfig.minTlsVersion", "1.0"))}`,
    },
    ps: {
      precheck: `$cfg = Get-AzResource -ResourceGroupName ${ps(ctx.resourceGroup)} -ResourceType Microsoft.Web/sites/config -ResourceName ${ps(`${ctx.name}/web`)} -ApiVersion 2023-12-01\n$cfg.Properties.minTlsVersion`,
      content: `$cfg = Get-AzResource -ResourceGroupName ${ps(ctx.resourceGroup)} -ResourceType Microsoft.Web/sites/config -ResourceName ${ps(`${ctx.name}/web`)} -ApiVersion 2023-12-01\n$cfg.Properties.minTlsVersion = '1.2'\n$cfg | Set-AzResource -Force`,
      rollback: `$cfg = Get-AzResource -ResourceGroupName ${ps(ctx.resourceGroup)} -ResourceType Microsoft.Web/sites/config -ResourceName ${ps(`${ctx.name}/web`)} -ApiVersion 2023-12-01\n$cfg.Properties.minTlsVersion = '${String(was(ctx, "properties.siteConfig.minTlsVersion", "1.0"))}'\n$cfg | Set-AzResource -Force`,
    },
    arm: { type: "Microsoft.Web/sites/config", apiVersion: "2023-12-01", name: `${ctx.name}/web`, location: false, properties: { minTlsVersion: "1.2" }, rollback: { minTlsVersion: was(ctx, "properties.siteConfig.minTlsVersion", "1.0") } },
    tf: { type: "azurerm_linux_function_app", body: 'site_config {\n  minimum_tls_version = "1.2"\n}', rollback: `site_config {\n  minimum_tls_version = "${String(was(ctx, "properties.siteConfig.minTlsVersion", "1.0"))}"\n}` },
    policy: {
      displayName: "Function Apps should require TLS 1.2",
      description: "Audits (or, where allowed, denies) resources that do not meet this setting; drafted by Clarion from the pack's check.",
      category: "App Service",
      if: P.all(P.type("Microsoft.Web/sites"), P.field("Microsoft.Web/sites/siteConfig.minTlsVersion", "less", "1.2")),
      effects: ["Audit", "Disabled"],
    },
  });
}
