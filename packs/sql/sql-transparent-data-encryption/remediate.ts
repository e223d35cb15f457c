import type { Remediation } from "../../../src/domain/finding";
import { ps, sh } from "../../../src/packs/helpers";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, buildFixes } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const seg = ctx.resource.id.split("/");
  const server = seg[seg.findIndex((s) => s.toLowerCase() === "servers") + 1] ?? "";
  const database = seg[seg.length - 1] ?? ctx.name;
  const t = `--resource-group ${sh(ctx.resourceGroup)} --server ${sh(server)} --database ${sh(database)} --subscription ${sh(ctx.subscriptionId)}`;
  const p = `-ResourceGroupName ${ps(ctx.resourceGroup)} -ServerName ${ps(server)} -DatabaseName ${ps(database)}`;
  return buildFixes(ctx, {
    packId: "sql-transparent-data-encryption",
    title: "Turn on transparent data encryption",
    role: "SQL DB Contributor",
    downtime: "none (encryption runs online in the background; expect some extra I/O while the initial scan runs)",
    az: { precheck: `az sql db tde show ${t}`, content: `az sql db tde set ${t} --status Enabled`, rollback: `az sql db tde set ${t} --status Disabled` },
    ps: { precheck: `Get-AzSqlDatabaseTransparentDataEncryption ${p}`, content: `Set-AzSqlDatabaseTransparentDataEncryption ${p} -State Enabled`, rollback: `Set-AzSqlDatabaseTransparentDataEncryption ${p} -State Disabled` },
    arm: { type: "Microsoft.Sql/servers/databases/transparentDataEncryption", apiVersion: "2021-11-01", name: `${server}/${database}/current`, location: false, properties: { state: "Enabled" }, rollback: { state: "Disabled" } },
    tf: { type: "azurerm_mssql_database", symbol: database.replace(/[^A-Za-z0-9_]/g, "_"), body: "transparent_data_encryption_enabled = true", rollback: "transparent_data_encryption_enabled = false" },
    policy: {
      displayName: "SQL databases should have transparent data encryption enabled",
      description: "Audits SQL databases (except master) whose transparent data encryption is not Enabled.",
      category: "SQL",
      mode: "Indexed",
      if: P.all(P.type("Microsoft.Sql/servers/databases"), P.field("name", "notEquals", "master")),
      effects: ["AuditIfNotExists", "Disabled"],
      details: { type: "Microsoft.Sql/servers/databases/transparentDataEncryption", existenceCondition: P.field("Microsoft.Sql/servers/databases/transparentDataEncryption/state", "equals", "enabled") },
    },
  });
}
