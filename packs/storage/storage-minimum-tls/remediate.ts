import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, azTarget, buildFixes, psTarget, was } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const p = psTarget(ctx);
  return buildFixes(ctx, {
    packId: "storage-minimum-tls",
    title: "Require TLS 1.2 or newer",
    role: "Storage Account Contributor",
    downtime: "none for current clients; TLS 1.0/1.1 clients are refused",
    az: {
      precheck: `az storage account show ${t} --query "minimumTlsVersion"`,
      content: `az storage account update ${t} --min-tls-version TLS1_2`,
      rollback: `az storage account update ${t} --min-tls-version ${String(was(ctx, "properties.minimumTlsVersion", "TLS1_0"))}`,
    },
    ps: {
      precheck: `Get-AzStorageAccount ${p} | Select-Object StorageAccountName, EnableHttpsTrafficOnly, MinimumTlsVersion, AllowBlobPublicAccess, AllowSharedKeyAccess`,
      content: `Set-AzStorageAccount ${p} -MinimumTlsVersion TLS1_2`,
      rollback: `Set-AzStorageAccount ${p} -MinimumTlsVersion ${String(was(ctx, "properties.minimumTlsVersion", "TLS1_0"))}`,
    },
    arm: { type: "Microsoft.Storage/storageAccounts", apiVersion: "2023-05-01", keep: ["sku", "kind"], properties: { minimumTlsVersion: "TLS1_2" }, rollback: { minimumTlsVersion: was(ctx, "properties.minimumTlsVersion", "TLS1_0") } },
    tf: { type: "azurerm_storage_account", body: 'min_tls_version = "TLS1_2"', rollback: `min_tls_version = "${String(was(ctx, "properties.minimumTlsVersion", "TLS1_0"))}"` },
    policy: {
      displayName: "Require TLS 1.2 or newer",
      description: "Audits or denies storage accounts that do not meet this setting.",
      category: "Storage",
      if: P.all(P.type("Microsoft.Storage/storageAccounts"), P.field("Microsoft.Storage/storageAccounts/minimumTlsVersion", "notEquals", "TLS1_2")),
      effects: ["Audit", "Deny", "Disabled"],
    },
  });
}
