import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, azTarget, buildFixes, psTarget, was } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const p = psTarget(ctx);
  return buildFixes(ctx, {
    packId: "storage-prevent-shared-key-access",
    title: "Turn off shared key authorization",
    role: "Storage Account Contributor",
    downtime: "planned: callers using account keys or account SAS fail until moved to Entra ID",
    az: {
      precheck: `az storage account show ${t} --query "allowSharedKeyAccess"`,
      content: `az storage account update ${t} --allow-shared-key-access false`,
      rollback: `az storage account update ${t} --allow-shared-key-access true`,
    },
    ps: {
      precheck: `Get-AzStorageAccount ${p} | Select-Object StorageAccountName, EnableHttpsTrafficOnly, MinimumTlsVersion, AllowBlobPublicAccess, AllowSharedKeyAccess`,
      content: `Set-AzStorageAccount ${p} -AllowSharedKeyAccess $false`,
      rollback: `Set-AzStorageAccount ${p} -AllowSharedKeyAccess $true`,
    },
    arm: { type: "Microsoft.Storage/storageAccounts", apiVersion: "2023-05-01", keep: ["sku", "kind"], properties: { allowSharedKeyAccess: false }, rollback: { allowSharedKeyAccess: true } },
    tf: { type: "azurerm_storage_account", body: 'shared_access_key_enabled = false', rollback: 'shared_access_key_enabled = true' },
    policy: {
      displayName: "Turn off shared key authorization",
      description: "Audits or denies storage accounts that do not meet this setting.",
      category: "Storage",
      if: P.all(P.type("Microsoft.Storage/storageAccounts"), P.any(P.field("Microsoft.Storage/storageAccounts/allowSharedKeyAccess", "exists", false), P.field("Microsoft.Storage/storageAccounts/allowSharedKeyAccess", "equals", true))),
      effects: ["Audit", "Deny", "Disabled"],
    },
  });
}
