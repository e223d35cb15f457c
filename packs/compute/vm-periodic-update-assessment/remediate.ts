import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { osType } from "../../_lib/evaluate";
import { P, azTarget, buildFixes, psTarget } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const windows = osType(ctx.resource) === "windows";
  return buildFixes(ctx, {
    packId: "vm-periodic-update-assessment",
    title: "Turn on periodic update assessment",
    role: "Virtual Machine Contributor",
    downtime: "none (assessment only; nothing is installed)",
    az: {
      precheck: `az vm show ${t} --query "osProfile"`,
      content: `az vm update ${t} --set ${windows ? "osProfile.windowsConfiguration" : "osProfile.linuxConfiguration"}.patchSettings.assessmentMode=AutomaticByPlatform`,
      rollback: `az vm update ${t} --set ${windows ? "osProfile.windowsConfiguration" : "osProfile.linuxConfiguration"}.patchSettings.assessmentMode=ImageDefault`,
    },
    ps: {
      precheck: `Get-AzVM ${psTarget(ctx)} | Select-Object Name, SecurityProfile, OSProfile`,
      content: `$vm = Get-AzVM ${psTarget(ctx)}\n${windows ? "$vm.OSProfile.WindowsConfiguration.PatchSettings.AssessmentMode = 'AutomaticByPlatform'" : "$vm.OSProfile.LinuxConfiguration.PatchSettings.AssessmentMode = 'AutomaticByPlatform'"}\nUpdate-AzVM -ResourceGroupName $vm.ResourceGroupName -VM $vm`,
      rollback: `$vm = Get-AzVM ${psTarget(ctx)}\n${windows ? "$vm.OSProfile.WindowsConfiguration.PatchSettings.AssessmentMode = 'ImageDefault'" : "$vm.OSProfile.LinuxConfiguration.PatchSettings.AssessmentMode = 'ImageDefault'"}\nUpdate-AzVM -ResourceGroupName $vm.ResourceGroupName -VM $vm`,
    },
    arm: { type: "Microsoft.Compute/virtualMachines", apiVersion: "2024-07-01", properties: windows ? { osProfile: { windowsConfiguration: { patchSettings: { assessmentMode: "AutomaticByPlatform" } } } } : { osProfile: { linuxConfiguration: { patchSettings: { assessmentMode: "AutomaticByPlatform" } } } }, rollback: windows ? { osProfile: { windowsConfiguration: { patchSettings: { assessmentMode: "ImageDefault" } } } } : { osProfile: { linuxConfiguration: { patchSettings: { assessmentMode: "ImageDefault" } } } } },
    tf: { type: windows ? "azurerm_windows_virtual_machine" : "azurerm_linux_virtual_machine", body: windows ? "patch_assessment_mode = \"AutomaticByPlatform\"" : "patch_assessment_mode = \"AutomaticByPlatform\"", rollback: windows ? "patch_assessment_mode = \"ImageDefault\"" : "patch_assessment_mode = \"ImageDefault\"" },
    policy: {
      displayName: "Virtual machines should have periodic update assessment",
      description: "Audits virtual machines that do not meet this setting.",
      category: "Compute",
      if: P.all(P.type("Microsoft.Compute/virtualMachines"), P.any(P.all(P.field("Microsoft.Compute/virtualMachines/storageProfile.osDisk.osType", "equals", "Windows"), P.field("Microsoft.Compute/virtualMachines/osProfile.windowsConfiguration.patchSettings.assessmentMode", "notEquals", "AutomaticByPlatform")), P.all(P.field("Microsoft.Compute/virtualMachines/storageProfile.osDisk.osType", "equals", "Linux"), P.field("Microsoft.Compute/virtualMachines/osProfile.linuxConfiguration.patchSettings.assessmentMode", "notEquals", "AutomaticByPlatform")))),
      effects: ["Audit", "Disabled"],
    },
  });
}
