import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, AUDIT_OR_DENY, azTarget, buildFixes, psTarget, settingPolicy } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const p = psTarget(ctx);
  return buildFixes(ctx, {
    packId: "cosmosdb-customer-managed-key",
    title: "Encrypt the account with a customer-managed key",
    role: "DocumentDB Account Contributor",
    downtime: "none (the account re-encrypts in the background; the key's availability becomes critical)",
    az: {
      precheck: `az cosmosdb show ${t} --query "{keyUri:keyVaultKeyUri, identity:identity.type, defaultIdentity:defaultIdentity}"\n# KEY_URI: https://<vault>.vault.azure.net/keys/<key> (versionless); the account identity needs Get/Wrap/Unwrap on it`,
      content: `az cosmosdb update ${t} --key-uri "$KEY_URI"`,
      rollback: `# A customer-managed key cannot be removed from an account; to roll back, rotate to a new key version or restore the key if it was revoked.\naz cosmosdb show ${t} --query keyVaultKeyUri`,
    },
    ps: {
      precheck: `Get-AzCosmosDBAccount ${p} | Select-Object Name, KeyVaultKeyUri`,
      content: `Update-AzCosmosDBAccount ${p} -KeyVaultKeyUri $env:KEY_URI`,
      rollback: `# A customer-managed key cannot be removed; rotate to another key instead.\nGet-AzCosmosDBAccount ${p} | Select-Object Name, KeyVaultKeyUri`,
    },
    arm: { type: "Microsoft.DocumentDB/databaseAccounts", apiVersion: "2024-05-15", keep: ["kind"], params: { keyUri: "Versionless Key Vault key URI" }, properties: { databaseAccountOfferType: "Standard", keyVaultKeyUri: "{{keyUri}}" }, rollback: {}, rollbackText: "A customer-managed key cannot be removed from a Cosmos DB account; roll back by rotating to another key." },
    tf: { type: "azurerm_cosmosdb_account", vars: { key_id: "Versionless Key Vault key id" }, body: "key_vault_key_id = var.key_id", rollback: "# cannot be removed; point key_vault_key_id at another key to rotate" },
    policy: settingPolicy("Microsoft.DocumentDB/databaseAccounts", "Cosmos DB accounts should use customer-managed keys", "Cosmos DB", (a) => [P.field(a("keyVaultKeyUri"), "exists", false)], { description: AUDIT_OR_DENY }),
  });
}
