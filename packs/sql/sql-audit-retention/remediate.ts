import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ident, ps, sh } from "../../../src/packs/helpers";
import { P, buildFixes } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "sql-audit-retention",
    title: "Keep audit records at least 90 days",
    role: "SQL Security Manager",
    downtime: "none",
    az: {
      precheck: `az sql server audit-policy show --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)}`,
      content: `az sql server audit-policy update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --state Enabled --log-analytics-target-state Enabled --log-analytics-workspace-resource-id <log-analytics-workspace-id> --retention-days 90`,
      rollback: `az sql server audit-policy update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --retention-days <previous-retention-days-from-precheck>`,
    },
    ps: {
      precheck: `Get-AzSqlServerAudit -ResourceGroupName ${ps(ctx.resourceGroup)} -ServerName ${ps(ctx.name)}`,
      content: `Set-AzSqlServerAudit -ResourceGroupName ${ps(ctx.resourceGroup)} -ServerName ${ps(ctx.name)} -LogAnalyticsTargetState Enabled -WorkspaceResourceId '<log-analytics-workspace-id>' -RetentionInDays 90`,
      rollback: `Set-AzSqlServerAudit -ResourceGroupName ${ps(ctx.resourceGroup)} -ServerName ${ps(ctx.name)} -RetentionInDays <previous-retention-days-from-precheck>`,
    },
    arm: { type: "Microsoft.Sql/servers/auditingSettings", apiVersion: "2021-11-01", name: `${ctx.name}/default`, location: false, properties: { state: "Enabled", isAzureMonitorTargetEnabled: true, retentionDays: 90 }, rollback: { state: "Enabled", isAzureMonitorTargetEnabled: true, retentionDays: 30 } },
    tf: { type: "azurerm_mssql_server_extended_auditing_policy", body: `server_id              = ${JSON.stringify(ctx.resource.id)}\nlog_monitoring_enabled = true\nretention_in_days      = 90`, rollback: '', importId: false, symbol: ident(`${ctx.name}_audit`), rollbackRaw: `removed {\n  from = azurerm_mssql_server_extended_auditing_policy.${ident(`${ctx.name}_audit`)}\n  lifecycle {\n    destroy = true\n  }\n}` },
    policy: {
      displayName: "SQL server audit retention should be 90 days or more",
      description: "Audits (or, where allowed, denies) resources that do not meet this setting; drafted by Clarion from the pack's check.",
      category: "SQL",
      if: P.type("Microsoft.Sql/servers"),
      effects: ["AuditIfNotExists", "Disabled"],
      details: { type: "Microsoft.Sql/servers/auditingSettings", name: "default", existenceCondition: P.any(P.field("Microsoft.Sql/servers/auditingSettings/retentionDays", "equals", 0), P.field("Microsoft.Sql/servers/auditingSettings/retentionDays", "greaterOrEquals", 90)) },
    },
  });
}
