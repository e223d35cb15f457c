import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, AUDIT_OR_DENY, azTarget, buildFixes, psTarget, settingPolicy } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const p = psTarget(ctx);
  return buildFixes(ctx, {
    packId: "recovery-vault-immutability",
    title: "Enable immutable backups (unlocked first)",
    role: "Backup Contributor",
    downtime: "none",
    az: {
      precheck: `az backup vault show ${t} --query "properties.securitySettings.immutabilitySettings"`,
      content: `az backup vault update ${t} --immutability-state Unlocked`,
      rollback: `az backup vault update ${t} --immutability-state Disabled`,
    },
    ps: {
      precheck: `Get-AzRecoveryServicesVault ${p} | Select-Object Name, Properties`,
      content: `Update-AzRecoveryServicesVault ${p} -ImmutabilityState Unlocked`,
      rollback: `Update-AzRecoveryServicesVault ${p} -ImmutabilityState Disabled`,
    },
    arm: { type: "Microsoft.RecoveryServices/vaults", apiVersion: "2024-04-01", keep: ["sku"], properties: { securitySettings: { immutabilitySettings: { state: "Unlocked" } } }, rollback: { securitySettings: { immutabilitySettings: { state: "Disabled" } } } },
    tf: { type: "azurerm_recovery_services_vault", body: 'immutability = "Unlocked"', rollback: 'immutability = "Disabled"' },
    policy: settingPolicy("Microsoft.RecoveryServices/vaults", "Recovery Services vaults should have immutability enabled", "Backup", (a) => [P.field(a("securitySettings.immutabilitySettings.state"), "notIn", ["Unlocked", "Locked"])], { effects: ["Audit", "Disabled"], description: AUDIT_OR_DENY }),
  });
}
