import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, AUDIT_OR_DENY, azTarget, buildFixes, psTarget, settingPolicy } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const p = psTarget(ctx);
  return buildFixes(ctx, {
    packId: "recovery-vault-public-network-disabled",
    title: "Disable public network access to the vault",
    role: "Backup Contributor",
    downtime: "planned: backup and restore traffic must use private endpoints once public access is off",
    az: {
      precheck: `az backup vault show ${t} --query "{publicNetworkAccess:properties.publicNetworkAccess}"`,
      content: `az backup vault update ${t} --public-network-access Disable`,
      rollback: `az backup vault update ${t} --public-network-access Enable`,
    },
    ps: {
      precheck: `Get-AzRecoveryServicesVault ${p} | Select-Object Name, Properties`,
      content: `Update-AzRecoveryServicesVault ${p} -PublicNetworkAccess Disabled`,
      rollback: `Update-AzRecoveryServicesVault ${p} -PublicNetworkAccess Enabled`,
    },
    arm: { type: "Microsoft.RecoveryServices/vaults", apiVersion: "2024-04-01", keep: ["sku"], properties: { publicNetworkAccess: "Disabled" }, rollback: { publicNetworkAccess: "Enabled" } },
    tf: { type: "azurerm_recovery_services_vault", body: "public_network_access_enabled = false", rollback: "public_network_access_enabled = true" },
    policy: settingPolicy("Microsoft.RecoveryServices/vaults", "Recovery Services vaults should disable public network access", "Backup", (a) => [P.field(a("publicNetworkAccess"), "notEquals", "Disabled")], { description: AUDIT_OR_DENY }),
  });
}
