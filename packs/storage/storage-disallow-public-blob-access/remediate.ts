import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, azTarget, buildFixes, psTarget, was } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const p = psTarget(ctx);
  return buildFixes(ctx, {
    packId: "storage-disallow-public-blob-access",
    title: "Disallow anonymous blob access",
    role: "Storage Account Contributor",
    downtime: "none unless something reads blobs anonymously",
    az: {
      precheck: `az storage account show ${t} --query "allowBlobPublicAccess"`,
      content: `az storage account update ${t} --allow-blob-public-access false`,
      rollback: `az storage account update ${t} --allow-blob-public-access true`,
    },
    ps: {
      precheck: `Get-AzStorageAccount ${p} | Select-Object StorageAccountName, EnableHttpsTrafficOnly, MinimumTlsVersion, AllowBlobPublicAccess, AllowSharedKeyAccess`,
      content: `Set-AzStorageAccount ${p} -AllowBlobPublicAccess $false`,
      rollback: `Set-AzStorageAccount ${p} -AllowBlobPublicAccess $true`,
    },
    arm: { type: "Microsoft.Storage/storageAccounts", apiVersion: "2023-05-01", keep: ["sku", "kind"], properties: { allowBlobPublicAccess: false }, rollback: { allowBlobPublicAccess: true } },
    tf: { type: "azurerm_storage_account", body: 'allow_nested_items_to_be_public = false', rollback: 'allow_nested_items_to_be_public = true' },
    policy: {
      displayName: "Disallow anonymous blob access",
      description: "Audits or denies storage accounts that do not meet this setting.",
      category: "Storage",
      if: P.all(P.type("Microsoft.Storage/storageAccounts"), P.any(P.field("Microsoft.Storage/storageAccounts/allowBlobPublicAccess", "exists", false), P.field("Microsoft.Storage/storageAccounts/allowBlobPublicAccess", "equals", true))),
      effects: ["Audit", "Deny", "Disabled"],
    },
  });
}
