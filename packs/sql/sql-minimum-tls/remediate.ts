import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ps, sh } from "../../../src/packs/helpers";
import { P, buildFixes, was } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "sql-minimum-tls",
    title: "Require TLS 1.2 on the server",
    role: "SQL Server Contributor",
    downtime: "none for current drivers; TLS 1.0/1.1 clients are refused",
    az: {
      precheck: `az sql server show --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query minimalTlsVersion`,
      content: `az sql server update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --minimal-tls-version 1.2`,
      rollback: `az sql server update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --minimal-tls-version ${String(was(ctx, "properties.minimalTlsVersion", "1.0"))}`,
    },
    ps: {
      precheck: `(Get-AzSqlServer -ResourceGroupName ${ps(ctx.resourceGroup)} -ServerName ${ps(ctx.name)}).MinimalTlsVersion`,
      content: `Set-AzSqlServer -ResourceGroupName ${ps(ctx.resourceGroup)} -ServerName ${ps(ctx.name)} -MinimalTlsVersion '1.2'`,
      rollback: `Set-AzSqlServer -ResourceGroupName ${ps(ctx.resourceGroup)} -ServerName ${ps(ctx.name)} -MinimalTlsVersion '${String(was(ctx, "properties.minimalTlsVersion", "1.0"))}'`,
    },
    arm: { type: "Microsoft.Sql/servers", apiVersion: "2021-11-01", properties: { minimalTlsVersion: "1.2" }, rollback: { minimalTlsVersion: was(ctx, "properties.minimalTlsVersion", "1.0") } },
    tf: { type: "azurerm_mssql_server", body: 'minimum_tls_version = "1.2"', rollback: `minimum_tls_version = "${String(was(ctx, "properties.minimalTlsVersion", "1.0"))}"` },
    policy: {
      displayName: "SQL servers should require TLS 1.2",
      description: "Audits (or, where allowed, denies) resources that do not meet this setting; drafted by Clarion from the pack's check.",
      category: "SQL",
      if: P.all(P.type("Microsoft.Sql/servers"), P.any(P.field("Microsoft.Sql/servers/minimalTlsVersion", "exists", false), P.field("Microsoft.Sql/servers/minimalTlsVersion", "less", "1.2"))),
      effects: ["Audit", "Deny", "Disabled"],
    },
  });
}
