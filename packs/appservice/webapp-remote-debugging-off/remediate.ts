import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ps, sh } from "../../../src/packs/helpers";
import { P, azTarget, buildFixes, psTarget, was } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const p = psTarget(ctx);
  return buildFixes(ctx, {
    packId: "webapp-remote-debugging-off",
    title: "Turn off remote debugging",
    role: "Website Contributor",
    downtime: "none",
    az: {
      precheck: `az webapp config show --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query remoteDebuggingEnabled`,
      content: `az webapp config set --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --remote-debugging-enabled false`,
      rollback: `az webapp config set --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --remote-debugging-enabled true`,
    },
    ps: {
      precheck: `$cfg = Get-AzResource -ResourceGroupName ${ps(ctx.resourceGroup)} -ResourceType Microsoft.Web/sites/config -ResourceName ${ps(`${ctx.name}/web`)} -ApiVersion 2023-12-01\n$cfg.Properties.remoteDebuggingEnabled`,
      content: `$cfg = Get-AzResource -ResourceGroupName ${ps(ctx.resourceGroup)} -ResourceType Microsoft.Web/sites/config -ResourceName ${ps(`${ctx.name}/web`)} -ApiVersion 2023-12-01\n$cfg.Properties.remoteDebuggingEnabled = $false\n$cfg | Set-AzResource -Force`,
      rollback: `$cfg = Get-AzResource -ResourceGroupName ${ps(ctx.resourceGroup)} -ResourceType Microsoft.Web/sites/config -ResourceName ${ps(`${ctx.name}/web`)} -ApiVersion 2023-12-01\n$cfg.Properties.remoteDebuggingEnabled = $true\n$cfg | Set-AzResource -Force`,
    },
    arm: { type: "Microsoft.Web/sites/config", apiVersion: "2023-12-01", name: `${ctx.name}/web`, location: false, properties: { remoteDebuggingEnabled: false }, rollback: { remoteDebuggingEnabled: true } },
    tf: { type: "azurerm_linux_web_app", body: 'site_config {\n  remote_debugging_enabled = false\n}', rollback: 'site_config {\n  remote_debugging_enabled = true\n}' },
    policy: {
      displayName: "Web Applications should have remote debugging turned off",
      description: "Audits (or, where allowed, denies) resources that do not meet this setting; drafted by Clarion from the pack's check.",
      category: "App Service",
      if: P.all(P.type("Microsoft.Web/sites"), P.field("Microsoft.Web/sites/siteConfig.remoteDebuggingEnabled", "equals", true)),
      effects: ["Audit", "Disabled"],
    },
  });
}
