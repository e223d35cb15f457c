import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ps, sh } from "../../../src/packs/helpers";
import { P, buildFixes } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "sql-entra-admin",
    title: "Make an Entra group the server administrator",
    role: "SQL Server Contributor",
    downtime: "none",
    az: {
      precheck: `az sql server ad-admin list --resource-group ${sh(ctx.resourceGroup)} --server-name ${sh(ctx.name)} --subscription ${sh(ctx.subscriptionId)}`,
      content: `az sql server ad-admin create --resource-group ${sh(ctx.resourceGroup)} --server-name ${sh(ctx.name)} --subscription ${sh(ctx.subscriptionId)} --display-name <entra-group-name> --object-id <entra-group-object-id>`,
      rollback: `az sql server ad-admin delete --resource-group ${sh(ctx.resourceGroup)} --server-name ${sh(ctx.name)} --subscription ${sh(ctx.subscriptionId)}`,
    },
    ps: {
      precheck: `Get-AzSqlServerActiveDirectoryAdministrator -ResourceGroupName ${ps(ctx.resourceGroup)} -ServerName ${ps(ctx.name)}`,
      content: `Set-AzSqlServerActiveDirectoryAdministrator -ResourceGroupName ${ps(ctx.resourceGroup)} -ServerName ${ps(ctx.name)} -DisplayName '<entra-group-name>' -ObjectId '<entra-group-object-id>'`,
      rollback: `Remove-AzSqlServerActiveDirectoryAdministrator -ResourceGroupName ${ps(ctx.resourceGroup)} -ServerName ${ps(ctx.name)} -Force`,
    },
    arm: { type: "Microsoft.Sql/servers/administrators", apiVersion: "2021-11-01", name: `${ctx.name}/ActiveDirectory`, location: false, rollbackText: `Remove the administrator (a template cannot): az sql server ad-admin delete --resource-group ${sh(ctx.resourceGroup)} --server-name ${sh(ctx.name)}`, properties: { administratorType: "ActiveDirectory", login: "<entra-group-name>", sid: "<entra-group-object-id>", tenantId: "<tenant-id>" }, rollback: {} },
    tf: { type: "azurerm_mssql_server", body: 'azuread_administrator {\n  login_username = var.sql_admin_group_name\n  object_id      = var.sql_admin_group_object_id\n}', rollback: '', rollbackRaw: "# Remove the azuread_administrator block from azurerm_mssql_server and run terraform apply." },
    policy: {
      displayName: "SQL servers should have an Entra administrator",
      description: "Audits (or, where allowed, denies) resources that do not meet this setting; drafted by Clarion from the pack's check.",
      category: "SQL",
      if: P.type("Microsoft.Sql/servers"),
      effects: ["AuditIfNotExists", "Disabled"],
      details: { type: "Microsoft.Sql/servers/administrators" },
    },
  });
}
