import type { Remediation } from "../../../src/domain/finding";
import { ps } from "../../../src/packs/helpers";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, azTarget, buildFixes } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const p = `-ResourceGroupName ${ps(ctx.resourceGroup)} -ServerName ${ps(ctx.name)}`;
  return buildFixes(ctx, {
    packId: "sql-defender-alert-policy",
    title: "Turn on Defender for SQL (advanced threat protection) on the server",
    role: "SQL Security Manager",
    downtime: "none (billed per server while on)",
    az: {
      precheck: `az sql server advanced-threat-protection-setting show ${t}`,
      content: `az sql server advanced-threat-protection-setting update ${t} --state Enabled`,
      rollback: `az sql server advanced-threat-protection-setting update ${t} --state Disabled`,
    },
    ps: {
      precheck: `Get-AzSqlServerAdvancedThreatProtectionSetting ${p}`,
      content: `Update-AzSqlServerAdvancedThreatProtectionSetting ${p} -Enable $true`,
      rollback: `Update-AzSqlServerAdvancedThreatProtectionSetting ${p} -Enable $false`,
    },
    arm: { type: "Microsoft.Sql/servers/securityAlertPolicies", apiVersion: "2021-11-01", name: `${ctx.name}/Default`, location: false, properties: { state: "Enabled", emailAccountAdmins: true }, rollback: { state: "Disabled" } },
    tf: { type: "azurerm_mssql_server_security_alert_policy", symbol: `${ctx.name.replace(/[^A-Za-z0-9_]/g, "_")}_alerts`, body: `resource_group_name = ${JSON.stringify(ctx.resourceGroup)}\nserver_name         = ${JSON.stringify(ctx.name)}\nstate               = "Enabled"`, rollback: `resource_group_name = ${JSON.stringify(ctx.resourceGroup)}\nserver_name         = ${JSON.stringify(ctx.name)}\nstate               = "Disabled"`, importId: `${ctx.resource.id}/securityAlertPolicies/Default` },
    policy: {
      displayName: "Defender for SQL should be enabled on SQL servers",
      description: "Audits SQL servers whose advanced threat protection (security alert policy) is not Enabled.",
      category: "SQL",
      mode: "Indexed",
      if: P.all(P.type("Microsoft.Sql/servers"), P.field("kind", "notContains", "analytics")),
      effects: ["AuditIfNotExists", "Disabled"],
      details: { type: "Microsoft.Sql/servers/securityAlertPolicies", name: "Default", existenceCondition: P.field("Microsoft.Sql/servers/securityAlertPolicies/state", "equals", "Enabled") },
    },
  });
}
