import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { osType } from "../../_lib/evaluate";
import { P, azTarget, buildFixes, psTarget } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const windows = osType(ctx.resource) === "windows";
  void windows;
  return buildFixes(ctx, {
    packId: "vm-secure-boot-windows",
    title: "Turn on Secure Boot",
    role: "Virtual Machine Contributor",
    downtime: "restart: the VM is deallocated and started again",
    az: {
      precheck: `az vm show ${t} --query "securityProfile"`,
      content: `az vm deallocate ${t}\naz vm update ${t} --enable-secure-boot true\naz vm start ${t}`,
      rollback: `az vm deallocate ${t}\naz vm update ${t} --enable-secure-boot false\naz vm start ${t}`,
    },
    ps: {
      precheck: `Get-AzVM ${psTarget(ctx)} | Select-Object Name, SecurityProfile, OSProfile`,
      content: `Stop-AzVM ${psTarget(ctx)} -Force\n$vm = Get-AzVM ${psTarget(ctx)}\nSet-AzVMUefi -VM $vm -EnableSecureBoot $true | Out-Null\nUpdate-AzVM -ResourceGroupName $vm.ResourceGroupName -VM $vm\nStart-AzVM ${psTarget(ctx)}`,
      rollback: `Stop-AzVM ${psTarget(ctx)} -Force\n$vm = Get-AzVM ${psTarget(ctx)}\nSet-AzVMUefi -VM $vm -EnableSecureBoot $false | Out-Null\nUpdate-AzVM -ResourceGroupName $vm.ResourceGroupName -VM $vm\nStart-AzVM ${psTarget(ctx)}`,
    },
    arm: { type: "Microsoft.Compute/virtualMachines", apiVersion: "2024-07-01", properties: { securityProfile: { uefiSettings: { secureBootEnabled: true } } }, rollback: { securityProfile: { uefiSettings: { secureBootEnabled: false } } } },
    tf: { type: windows ? "azurerm_windows_virtual_machine" : "azurerm_linux_virtual_machine", body: windows ? "secure_boot_enabled = true" : "secure_boot_enabled = true", rollback: windows ? "secure_boot_enabled = false" : "secure_boot_enabled = false" },
    policy: {
      displayName: "Virtual machines should have Secure Boot",
      description: "Audits virtual machines that do not meet this setting.",
      category: "Compute",
      if: P.all(P.type("Microsoft.Compute/virtualMachines"), P.field("Microsoft.Compute/virtualMachines/securityProfile.securityType", "equals", "TrustedLaunch"), P.field("Microsoft.Compute/virtualMachines/securityProfile.uefiSettings.secureBootEnabled", "notEquals", true)),
      effects: ["Audit", "Disabled"],
    },
  });
}
