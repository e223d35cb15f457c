import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ident, ps, sh } from "../../../src/packs/helpers";
import { P, buildFixes } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "sql-auditing",
    title: "Turn on server auditing to Log Analytics",
    role: "SQL Security Manager",
    downtime: "none",
    az: {
      precheck: `az sql server audit-policy show --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)}`,
      content: `az sql server audit-policy update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --state Enabled --log-analytics-target-state Enabled --log-analytics-workspace-resource-id <log-analytics-workspace-id>`,
      rollback: `az sql server audit-policy update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --state Disabled`,
    },
    ps: {
      precheck: `Get-AzSqlServerAudit -ResourceGroupName ${ps(ctx.resourceGroup)} -ServerName ${ps(ctx.name)}`,
      content: `Set-AzSqlServerAudit -ResourceGroupName ${ps(ctx.resourceGroup)} -ServerName ${ps(ctx.name)} -LogAnalyticsTargetState Enabled -WorkspaceResourceId '<log-analytics-workspace-id>'`,
      rollback: `Remove-AzSqlServerAudit -ResourceGroupName ${ps(ctx.resourceGroup)} -ServerName ${ps(ctx.name)}`,
    },
    arm: { type: "Microsoft.Sql/servers/auditingSettings", apiVersion: "2021-11-01", name: `${ctx.name}/default`, location: false, properties: { state: "Enabled", isAzureMonitorTargetEnabled: true }, rollback: { state: "Disabled" } },
    tf: { type: "azurerm_mssql_server_extended_auditing_policy", body: `server_id              = ${JSON.stringify(ctx.resource.id)}\nlog_monitoring_enabled = true`, rollback: '', importId: false, symbol: ident(`${ctx.name}_audit`), rollbackRaw: `removed {\n  from = azurerm_mssql_server_extended_auditing_policy.${ident(`${ctx.name}_audit`)}\n  lifecycle {\n    destroy = true\n  }\n}` },
    policy: {
      displayName: "SQL server auditing should be enabled",
      description: "Audits (or, where allowed, denies) resources that do not meet this setting; drafted by Clarion from the pack's check.",
      category: "SQL",
      if: P.type("Microsoft.Sql/servers"),
      effects: ["AuditIfNotExists", "Disabled"],
      details: { type: "Microsoft.Sql/servers/auditingSettings", name: "default", existenceCondition: P.field("Microsoft.Sql/servers/auditingSettings/state", "equals", "Enabled") },
    },
  });
}
