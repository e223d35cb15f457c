import type { Remediation } from "../../../src/domain/finding";
import { prop } from "../../../src/packs/helpers";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, azTarget, buildFixes, psTarget } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const was = String(prop(ctx.resource, "identity.type") ?? "None");
  const withSystem = /userassigned/i.test(was) ? "SystemAssigned, UserAssigned" : "SystemAssigned";
  return buildFixes(ctx, {
    packId: "vm-guest-configuration-identity",
    title: "Give the VM a system-assigned managed identity",
    role: "Virtual Machine Contributor",
    downtime: "none",
    az: {
      precheck: `az vm show ${t} --query identity`,
      content: `az vm identity assign ${t} --identities '[system]'`,
      rollback: `az vm identity remove ${t} --identities '[system]'`,
    },
    ps: {
      precheck: `Get-AzVM ${psTarget(ctx)} | Select-Object Name, Identity`,
      content: [`$vm = Get-AzVM ${psTarget(ctx)}`, `Update-AzVM -ResourceGroupName $vm.ResourceGroupName -VM $vm -IdentityType ${/userassigned/i.test(was) ? "SystemAssignedUserAssigned" : "SystemAssigned"}`].join("\n"),
      rollback: [`$vm = Get-AzVM ${psTarget(ctx)}`, `Update-AzVM -ResourceGroupName $vm.ResourceGroupName -VM $vm -IdentityType ${/userassigned/i.test(was) ? "UserAssigned" : "None"}`].join("\n"),
    },
    arm: { type: "Microsoft.Compute/virtualMachines", apiVersion: "2024-07-01", properties: {}, rollback: {}, top: { identity: { type: withSystem } }, rollbackTop: { identity: { type: was } } },
    tf: { type: /windows/i.test(String(prop(ctx.resource, "properties.storageProfile.osDisk.osType"))) ? "azurerm_windows_virtual_machine" : "azurerm_linux_virtual_machine", body: `identity {\n  type = "${withSystem}"\n}`, rollback: was === "None" ? "# remove the identity block" : `identity {\n  type = "${was}"\n}` },
    policy: {
      displayName: "VMs with the Guest Configuration extension should have a system-assigned identity",
      description: "Audits virtual machines without a system-assigned managed identity (needed by the Guest Configuration extension).",
      category: "Guest Configuration",
      if: P.all(P.type("Microsoft.Compute/virtualMachines"), P.field("identity.type", "notContains", "SystemAssigned")),
      effects: ["Audit", "Disabled"],
    },
  });
}
