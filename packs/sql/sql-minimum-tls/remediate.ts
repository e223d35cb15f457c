import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ps, sh } from "../../../src/packs/helpers";
import { P, buildFixes, settingPolicy, was } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "sql-minimum-tls",
    title: "Require TLS 1.2 on the server",
    role: "SQL Server Contributor",
    downtime: "none for current drivers; TLS 1.0/1.1 clients are refused",
    az: {
      precheck: `az sql server show --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query minimalTlsVersion`,
      content: `az sql server update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --minimal-tls-version 1.2`,
      rollback: `az sql server update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --minimal-tls-version ${sh(String(was(ctx, "properties.minimalTlsVersion", "1.0")))}`,
    },
    ps: {
      precheck: `(Get-AzSqlServer -ResourceGroupName ${ps(ctx.resourceGroup)} -ServerName ${ps(ctx.name)}).MinimalTlsVersion`,
      content: `Set-AzSqlServer -ResourceGroupName ${ps(ctx.resourceGroup)} -ServerName ${ps(ctx.name)} -MinimalTlsVersion '1.2'`,
      rollback: `Set-AzSqlServer -ResourceGroupName ${ps(ctx.resourceGroup)} -ServerName ${ps(ctx.name)} -MinimalTlsVersion ${ps(String(was(ctx, "properties.minimalTlsVersion", "1.0")))}`,
    },
    arm: { type: "Microsoft.Sql/servers", apiVersion: "2021-11-01", properties: { minimalTlsVersion: "1.2" }, rollback: { minimalTlsVersion: was(ctx, "properties.minimalTlsVersion", "1.0") } },
    tf: { type: "azurerm_mssql_server", body: 'minimum_tls_version = "1.2"', rollback: `minimum_tls_version = ${JSON.stringify(String(was(ctx, "properties.minimalTlsVersion", "1.0")))}` },
    policy: settingPolicy("Microsoft.Sql/servers", "SQL servers should require TLS 1.2", "SQL", (a) => [P.any(P.field(a("minimalTlsVersion"), "exists", false), P.field(a("minimalTlsVersion"), "less", "1.2"))]),
  });
}
