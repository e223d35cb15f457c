import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, azTarget, buildFixes, psTarget } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const p = psTarget(ctx);
  return buildFixes(ctx, {
    packId: "storage-firewall-restricted",
    title: "Deny network access by default",
    role: "Storage Account Contributor",
    downtime: "none for callers in allowed networks; others are refused",
    az: {
      precheck: `az storage account show ${t} --query "networkRuleSet.defaultAction"`,
      content: `az storage account update ${t} --default-action Deny`,
      rollback: `az storage account update ${t} --default-action Allow`,
    },
    ps: {
      precheck: `Get-AzStorageAccount ${p} | Select-Object StorageAccountName, EnableHttpsTrafficOnly, MinimumTlsVersion, AllowBlobPublicAccess, AllowSharedKeyAccess`,
      content: `Set-AzStorageAccount ${p} -NetworkRuleSet @{ DefaultAction = 'Deny'; Bypass = 'AzureServices' }`,
      rollback: `Set-AzStorageAccount ${p} -NetworkRuleSet @{ DefaultAction = 'Allow'; Bypass = 'AzureServices' }`,
    },
    arm: { type: "Microsoft.Storage/storageAccounts", apiVersion: "2023-05-01", keep: ["sku", "kind"], properties: { networkAcls: { defaultAction: "Deny", bypass: "AzureServices" } }, rollback: { networkAcls: { defaultAction: "Allow", bypass: "AzureServices" } } },
    tf: { type: "azurerm_storage_account", body: 'network_rules {\n  default_action = "Deny"\n  bypass         = ["AzureServices"]\n}', rollback: 'network_rules {\n  default_action = "Allow"\n  bypass         = ["AzureServices"]\n}' },
    policy: {
      displayName: "Deny network access by default",
      description: "Audits or denies storage accounts that do not meet this setting.",
      category: "Storage",
      if: P.all(P.type("Microsoft.Storage/storageAccounts"), P.field("Microsoft.Storage/storageAccounts/networkAcls.defaultAction", "notEquals", "Deny")),
      effects: ["Audit", "Deny", "Disabled"],
    },
  });
}
