import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ps, sh } from "../../../src/packs/helpers";
import { P, azTarget, buildFixes, psTarget, was } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const p = psTarget(ctx);
  return buildFixes(ctx, {
    packId: "functionapp-managed-identity",
    title: "Assign a system-assigned managed identity",
    role: "Website Contributor",
    downtime: "none",
    az: {
      precheck: `az functionapp identity show --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)}`,
      content: `az functionapp identity assign --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)}`,
      rollback: `az functionapp identity remove --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)}`,
    },
    ps: {
      precheck: `(Get-AzWebApp -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)}).Identity`,
      content: `Set-AzWebApp -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)} -AssignIdentity $true`,
      rollback: `Set-AzWebApp -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)} -AssignIdentity $false`,
    },
    arm: { type: "Microsoft.Web/sites", apiVersion: "2023-12-01", keep: ["kind"], top: { identity: { type: "SystemAssigned" } }, rollbackTop: { identity: { type: "None" } }, properties: { serverFarmId: was(ctx, "properties.serverFarmId", "<app-service-plan-id>") }, rollback: { serverFarmId: was(ctx, "properties.serverFarmId", "<app-service-plan-id>") } },
    tf: { type: "azurerm_linux_function_app", body: 'identity {\n  type = "SystemAssigned"\n}', rollback: '', rollbackRaw: "# Remove the identity block and run terraform apply; first move any connection that uses the identity back to its previous credential." },
    policy: {
      displayName: "Function Apps should use a managed identity",
      description: "Audits (or, where allowed, denies) resources that do not meet this setting; drafted by Clarion from the pack's check.",
      category: "App Service",
      if: P.all(P.type("Microsoft.Web/sites"), P.any(P.field("identity.type", "exists", false), P.field("identity.type", "equals", "None"))),
      effects: ["Audit", "Disabled"],
    },
  });
}
