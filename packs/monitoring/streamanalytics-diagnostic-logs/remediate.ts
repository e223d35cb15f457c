import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ident, ps, sh } from "../../../src/packs/helpers";
import { P, buildFixes } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const DIAG = "clarion-logs";
  return buildFixes(ctx, {
    packId: "streamanalytics-diagnostic-logs",
    title: "Send resource logs to a Log Analytics workspace",
    role: "Monitoring Contributor",
    downtime: "none",
    az: {
      precheck: `az monitor diagnostic-settings list --resource ${sh(ctx.resource.id)}`,
      content: `az monitor diagnostic-settings create --name ${DIAG} --resource ${sh(ctx.resource.id)} --workspace <log-analytics-workspace-id> --logs '[{"categoryGroup":"allLogs","enabled":true}]'`,
      rollback: `az monitor diagnostic-settings delete --name ${DIAG} --resource ${sh(ctx.resource.id)}`,
    },
    ps: {
      precheck: `Get-AzDiagnosticSetting -ResourceId ${ps(ctx.resource.id)}`,
      content: [
        "$log = New-AzDiagnosticSettingLogSettingsObject -Enabled $true -CategoryGroup 'allLogs'",
        `New-AzDiagnosticSetting -Name ${ps(DIAG)} -ResourceId ${ps(ctx.resource.id)} -WorkspaceId '<log-analytics-workspace-id>' -Log $log`,
      ].join("\n"),
      rollback: `Remove-AzDiagnosticSetting -Name ${ps(DIAG)} -ResourceId ${ps(ctx.resource.id)}`,
    },
    arm: {
      type: "Microsoft.Insights/diagnosticSettings",
      apiVersion: "2021-05-01-preview",
      name: DIAG,
      extends: { type: "Microsoft.StreamAnalytics/streamingJobs", apiVersion: "2020-03-01", name: ctx.name },
      properties: { workspaceId: "<log-analytics-workspace-id>", logs: [{ categoryGroup: "allLogs", enabled: true }] },
      rollback: { workspaceId: "<log-analytics-workspace-id>", logs: [{ categoryGroup: "allLogs", enabled: false }] },
    },
    tf: {
      type: "azurerm_monitor_diagnostic_setting",
      symbol: ident(`${ctx.name}_logs`),
      importId: false,
      body: [
        `name                       = ${JSON.stringify(DIAG)}`,
        `target_resource_id         = ${JSON.stringify(ctx.resource.id)}`,
        "log_analytics_workspace_id = var.log_analytics_workspace_id",
        "enabled_log {",
        '  category_group = "allLogs"',
        "}",
      ].join("\n"),
      rollback: "",
      rollbackRaw: `removed {\n  from = azurerm_monitor_diagnostic_setting.${ident(`${ctx.name}_logs`)}\n  lifecycle {\n    destroy = true\n  }\n}`,
    },
    policy: {
      displayName: "Resource logs should be enabled for Microsoft.StreamAnalytics/streamingJobs",
      description: "Audits resources of this type without a diagnostic setting that sends enabled logs somewhere.",
      category: "Monitoring",
      if: P.type("Microsoft.StreamAnalytics/streamingJobs"),
      effects: ["AuditIfNotExists", "Disabled"],
      details: {
        type: "Microsoft.Insights/diagnosticSettings",
        existenceCondition: {
          count: { field: "Microsoft.Insights/diagnosticSettings/logs[*]", where: P.field("Microsoft.Insights/diagnosticSettings/logs[*].enabled", "equals", "true") },
          greater: 0,
        },
      },
    },
  });
}
