import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ps, sh } from "../../../src/packs/helpers";
import { P, buildFixes, settingPolicy, was } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "cosmosdb-public-network-disabled",
    title: "Disable public network access to the account",
    role: "DocumentDB Account Contributor",
    downtime: "brief: public-endpoint callers are refused",
    az: {
      precheck: `az cosmosdb show --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query publicNetworkAccess`,
      content: `az cosmosdb update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --public-network-access DISABLED`,
      rollback: `az cosmosdb update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --public-network-access ENABLED`,
    },
    ps: {
      precheck: `(Get-AzCosmosDBAccount -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)}).PublicNetworkAccess`,
      content: `Update-AzCosmosDBAccount -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)} -PublicNetworkAccess Disabled`,
      rollback: `Update-AzCosmosDBAccount -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)} -PublicNetworkAccess Enabled`,
    },
    arm: { type: "Microsoft.DocumentDB/databaseAccounts", apiVersion: "2024-05-15", keep: ["kind"], properties: { databaseAccountOfferType: "Standard", locations: was(ctx, "properties.locations", []), publicNetworkAccess: "Disabled" }, rollback: { databaseAccountOfferType: "Standard", locations: was(ctx, "properties.locations", []), publicNetworkAccess: "Enabled" } },
    tf: { type: "azurerm_cosmosdb_account", body: 'public_network_access_enabled = false', rollback: 'public_network_access_enabled = true' },
    policy: settingPolicy("Microsoft.DocumentDB/databaseAccounts", "Cosmos DB accounts should disable public network access", "Cosmos DB", (a) => [P.field(a("publicNetworkAccess"), "notEquals", "Disabled")]),
  });
}
