import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ps, sh } from "../../../src/packs/helpers";
import { P, buildFixes, settingPolicy } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "sql-public-network-disabled",
    title: "Disable public network access to the server",
    role: "SQL Server Contributor",
    downtime: "brief: callers using the public endpoint are refused",
    az: {
      precheck: `az sql server show --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query publicNetworkAccess`,
      content: `az sql server update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --enable-public-network false`,
      rollback: `az sql server update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --enable-public-network true`,
    },
    ps: {
      precheck: `(Get-AzSqlServer -ResourceGroupName ${ps(ctx.resourceGroup)} -ServerName ${ps(ctx.name)}).PublicNetworkAccess`,
      content: `Set-AzSqlServer -ResourceGroupName ${ps(ctx.resourceGroup)} -ServerName ${ps(ctx.name)} -PublicNetworkAccess 'Disabled'`,
      rollback: `Set-AzSqlServer -ResourceGroupName ${ps(ctx.resourceGroup)} -ServerName ${ps(ctx.name)} -PublicNetworkAccess 'Enabled'`,
    },
    arm: { type: "Microsoft.Sql/servers", apiVersion: "2021-11-01", properties: { publicNetworkAccess: "Disabled" }, rollback: { publicNetworkAccess: "Enabled" } },
    tf: { type: "azurerm_mssql_server", body: 'public_network_access_enabled = false', rollback: 'public_network_access_enabled = true' },
    policy: settingPolicy("Microsoft.Sql/servers", "SQL servers should disable public network access", "SQL", (a) => [P.field(a("publicNetworkAccess"), "notEquals", "Disabled")]),
  });
}
