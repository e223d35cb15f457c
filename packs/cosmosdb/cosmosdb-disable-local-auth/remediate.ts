import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ps, sh } from "../../../src/packs/helpers";
import { P, buildFixes, settingPolicy, was } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "cosmosdb-disable-local-auth",
    title: "Disable key-based access",
    role: "DocumentDB Account Contributor",
    downtime: "planned: key-based callers fail until moved to Entra ID",
    az: {
      precheck: `az cosmosdb show --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query disableLocalAuth`,
      content: `az resource update --ids ${sh(ctx.resource.id)} --set properties.disableLocalAuth=true`,
      rollback: `az resource update --ids ${sh(ctx.resource.id)} --set properties.disableLocalAuth=false`,
    },
    ps: {
      precheck: `(Get-AzCosmosDBAccount -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)}).DisableLocalAuth`,
      content: `Update-AzCosmosDBAccount -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)} -DisableLocalAuth $true`,
      rollback: `Update-AzCosmosDBAccount -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)} -DisableLocalAuth $false`,
    },
    arm: { type: "Microsoft.DocumentDB/databaseAccounts", apiVersion: "2024-05-15", keep: ["kind"], properties: { databaseAccountOfferType: "Standard", locations: was(ctx, "properties.locations", []), disableLocalAuth: true }, rollback: { databaseAccountOfferType: "Standard", locations: was(ctx, "properties.locations", []), disableLocalAuth: false } },
    tf: { type: "azurerm_cosmosdb_account", body: 'local_authentication_disabled = true', rollback: 'local_authentication_disabled = false' },
    policy: settingPolicy("Microsoft.DocumentDB/databaseAccounts", "Cosmos DB accounts should have local authentication disabled", "Cosmos DB", (a) => [P.field(a("disableLocalAuth"), "notEquals", true)]),
  });
}
