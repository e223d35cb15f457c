import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ident } from "../../../src/packs/helpers";
import { P, azTarget, buildFixes, psTarget } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const p = psTarget(ctx);
  return buildFixes(ctx, {
    packId: "storage-customer-managed-key",
    title: "Encrypt with a customer-managed key from Key Vault",
    role: "Storage Account Contributor + Key Vault Crypto Officer",
    downtime: "none; the account depends on the vault's availability afterwards",
    az: {
      precheck: `az storage account show ${t} --query encryption.keySource`,
      content: `az storage account update ${t} --assign-identity\naz storage account update ${t} --encryption-key-source Microsoft.Keyvault --encryption-key-vault https://<vault-name>.vault.azure.net --encryption-key-name <key-name>`,
      rollback: `az storage account update ${t} --encryption-key-source Microsoft.Storage`,
    },
    ps: {
      precheck: `(Get-AzStorageAccount ${p}).Encryption.KeySource`,
      content: `Set-AzStorageAccount ${p} -AssignIdentity\nSet-AzStorageAccount ${p} -KeyvaultEncryption -KeyVaultUri 'https://<vault-name>.vault.azure.net' -KeyName '<key-name>'`,
      rollback: `Set-AzStorageAccount ${p} -StorageEncryption`,
    },
    arm: {
      type: "Microsoft.Storage/storageAccounts", apiVersion: "2023-05-01", keep: ["sku", "kind"],
      top: { identity: { type: "SystemAssigned" } },
      properties: { encryption: { keySource: "Microsoft.Keyvault", keyvaultproperties: { keyvaulturi: "https://<vault-name>.vault.azure.net", keyname: "<key-name>" } } },
      rollback: { encryption: { keySource: "Microsoft.Storage" } },
    },
    tf: {
      type: "azurerm_storage_account_customer_managed_key", symbol: ident(`${ctx.name}_cmk`), importId: false,
      body: `storage_account_id = ${JSON.stringify(ctx.resource.id)}\nkey_vault_id       = var.key_vault_id\nkey_name           = var.key_name`,
      rollback: "",
      rollbackRaw: `removed {\n  from = azurerm_storage_account_customer_managed_key.${ident(`${ctx.name}_cmk`)}\n  lifecycle {\n    destroy = true\n  }\n}`,
    },
    policy: {
      displayName: "Storage accounts should use a customer-managed key",
      description: "Audits storage accounts whose encryption key source is not Key Vault.",
      category: "Storage",
      if: P.all(P.type("Microsoft.Storage/storageAccounts"), P.field("Microsoft.Storage/storageAccounts/encryption.keySource", "notEquals", "Microsoft.Keyvault")),
      effects: ["Audit", "Disabled"],
    },
  });
}
