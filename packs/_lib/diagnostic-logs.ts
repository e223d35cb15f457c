import type { Remediation } from "../../src/domain/finding";
import { ident, ps, sh } from "../../src/packs/helpers";
import type { RemediationContext } from "../../src/packs/schema";
import { buildFixes, P } from "./remediate";

/** Resource-log packs: a diagnostic setting sending every log category to Log Analytics, for any resource type. */

export interface DiagnosticLogsSpec {
  packId: string;
  /** ARM type of the resource the setting attaches to, in ARM casing (e.g. Microsoft.KeyVault/vaults). */
  type: string;
  /** API version of that resource type, for the Bicep `existing` reference. */
  apiVersion: string;
}

/**
 * Drafts adding a diagnostic setting `clarion-logs` that sends every log category (the `allLogs` group) to a Log
 * Analytics workspace the operator names. The setting is new, so the rollbacks delete it.
 */
export function diagnosticLogsFixes(ctx: RemediationContext, s: DiagnosticLogsSpec): Remediation[] {
  const DIAG = "clarion-logs";
  const sym = ident(`${ctx.name}_logs`);
  return buildFixes(ctx, {
    packId: s.packId,
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
      extends: { type: s.type, apiVersion: s.apiVersion, name: ctx.name },
      properties: { workspaceId: "<log-analytics-workspace-id>", logs: [{ categoryGroup: "allLogs", enabled: true }] },
      rollback: { workspaceId: "<log-analytics-workspace-id>", logs: [{ categoryGroup: "allLogs", enabled: false }] },
    },
    tf: {
      type: "azurerm_monitor_diagnostic_setting",
      symbol: sym,
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
      rollbackRaw: `removed {\n  from = azurerm_monitor_diagnostic_setting.${sym}\n  lifecycle {\n    destroy = true\n  }\n}`,
    },
    policy: {
      displayName: `Resource logs should be enabled for ${s.type}`,
      description: "Audits resources of this type without a diagnostic setting that sends enabled logs somewhere.",
      category: "Monitoring",
      if: P.type(s.type),
      effects: ["AuditIfNotExists", "Disabled"],
      details: {
        type: "Microsoft.Insights/diagnosticSettings",
        existenceCondition: {
          count: {
            field: "Microsoft.Insights/diagnosticSettings/logs[*]",
            where: P.field("Microsoft.Insights/diagnosticSettings/logs[*].enabled", "equals", "true"),
          },
          greater: 0,
        },
      },
    },
  });
}
