import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { osType } from "../../_lib/evaluate";
import { P, azTarget, buildFixes, psTarget } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const windows = osType(ctx.resource) === "windows";
  void windows;
  return buildFixes(ctx, {
    packId: "vm-encryption-at-host",
    title: "Turn on encryption at host",
    role: "Virtual Machine Contributor",
    downtime: "restart: the VM is deallocated and started again",
    az: {
      precheck: `az vm show ${t} --query "securityProfile.encryptionAtHost"`,
      content: `az vm deallocate ${t}\naz vm update ${t} --encryption-at-host true\naz vm start ${t}`,
      rollback: `az vm deallocate ${t}\naz vm update ${t} --encryption-at-host false\naz vm start ${t}`,
    },
    ps: {
      precheck: `Get-AzVM ${psTarget(ctx)} | Select-Object Name, SecurityProfile, OSProfile`,
      content: `Stop-AzVM ${psTarget(ctx)} -Force\n$vm = Get-AzVM ${psTarget(ctx)}\n$vm.SecurityProfile.EncryptionAtHost = $true\nUpdate-AzVM -ResourceGroupName $vm.ResourceGroupName -VM $vm\nStart-AzVM ${psTarget(ctx)}`,
      rollback: `Stop-AzVM ${psTarget(ctx)} -Force\n$vm = Get-AzVM ${psTarget(ctx)}\n$vm.SecurityProfile.EncryptionAtHost = $false\nUpdate-AzVM -ResourceGroupName $vm.ResourceGroupName -VM $vm\nStart-AzVM ${psTarget(ctx)}`,
    },
    arm: { type: "Microsoft.Compute/virtualMachines", apiVersion: "2024-07-01", properties: { securityProfile: { encryptionAtHost: true } }, rollback: { securityProfile: { encryptionAtHost: false } } },
    tf: { type: windows ? "azurerm_windows_virtual_machine" : "azurerm_linux_virtual_machine", body: windows ? "encryption_at_host_enabled = true" : "encryption_at_host_enabled = true", rollback: windows ? "encryption_at_host_enabled = false" : "encryption_at_host_enabled = false" },
    policy: {
      displayName: "Virtual machines should have encryption at host",
      description: "Audits virtual machines that do not meet this setting.",
      category: "Compute",
      if: P.all(P.type("Microsoft.Compute/virtualMachines"), P.field("Microsoft.Compute/virtualMachines/securityProfile.encryptionAtHost", "notEquals", true)),
      effects: ["Audit", "Deny", "Disabled"],
    },
  });
}
