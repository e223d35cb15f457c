import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, azTarget, buildFixes, psTarget, was } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const p = psTarget(ctx);
  return buildFixes(ctx, {
    packId: "storage-secure-transfer",
    title: "Require HTTPS for all requests",
    role: "Storage Account Contributor",
    downtime: "none for HTTPS clients; HTTP clients are refused",
    az: {
      precheck: `az storage account show ${t} --query "supportsHttpsTrafficOnly"`,
      content: `az storage account update ${t} --https-only true`,
      rollback: `az storage account update ${t} --https-only ${String(was(ctx, "properties.supportsHttpsTrafficOnly", false))}`,
    },
    ps: {
      precheck: `Get-AzStorageAccount ${p} | Select-Object StorageAccountName, EnableHttpsTrafficOnly, MinimumTlsVersion, AllowBlobPublicAccess, AllowSharedKeyAccess`,
      content: `Set-AzStorageAccount ${p} -EnableHttpsTrafficOnly $true`,
      rollback: `Set-AzStorageAccount ${p} -EnableHttpsTrafficOnly $false`,
    },
    arm: { type: "Microsoft.Storage/storageAccounts", apiVersion: "2023-05-01", keep: ["sku", "kind"], properties: { supportsHttpsTrafficOnly: true }, rollback: { supportsHttpsTrafficOnly: false } },
    tf: { type: "azurerm_storage_account", body: 'https_traffic_only_enabled = true', rollback: 'https_traffic_only_enabled = false' },
    policy: {
      displayName: "Require HTTPS for all requests",
      description: "Audits or denies storage accounts that do not meet this setting.",
      category: "Storage",
      if: P.all(P.type("Microsoft.Storage/storageAccounts"), P.field("Microsoft.Storage/storageAccounts/supportsHttpsTrafficOnly", "equals", false)),
      effects: ["Audit", "Deny", "Disabled"],
    },
  });
}
