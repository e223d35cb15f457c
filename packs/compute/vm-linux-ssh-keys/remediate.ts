import type { Remediation } from "../../../src/domain/finding";
import { ps, sh } from "../../../src/packs/helpers";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, azTarget, buildFixes, psTarget } from "../../_lib/remediate";

/**
 * Azure does not allow `disablePasswordAuthentication` to change on an existing VM, so the shell drafts turn password
 * logins off in sshd through Run Command (after confirming a key works) and the IaC drafts set it for the next rebuild.
 */
export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const off = "sed -i.clarion-bak -E 's/^#?PasswordAuthentication.*/PasswordAuthentication no/' /etc/ssh/sshd_config && systemctl reload sshd || systemctl reload ssh";
  const on = "cp /etc/ssh/sshd_config.clarion-bak /etc/ssh/sshd_config && systemctl reload sshd || systemctl reload ssh";
  return buildFixes(ctx, {
    packId: "vm-linux-ssh-keys",
    title: "Require SSH keys: turn password logins off",
    role: "Virtual Machine Contributor",
    downtime: "none for services; users who sign in with a password must switch to SSH keys first",
    az: {
      precheck: `az vm show ${t} --query "osProfile.linuxConfiguration.{passwordLoginDisabled:disablePasswordAuthentication, keys:ssh.publicKeys[].path}"\n# Confirm every administrator has a working SSH key before running this.`,
      content: `az vm run-command invoke ${t} --command-id RunShellScript --scripts ${sh(off)}`,
      rollback: `az vm run-command invoke ${t} --command-id RunShellScript --scripts ${sh(on)}`,
    },
    ps: {
      precheck: `Get-AzVM ${psTarget(ctx)} | Select-Object Name, OSProfile`,
      content: `Invoke-AzVMRunCommand ${psTarget(ctx, "-VMName")} -CommandId 'RunShellScript' -ScriptString ${ps(off)}`,
      rollback: `Invoke-AzVMRunCommand ${psTarget(ctx, "-VMName")} -CommandId 'RunShellScript' -ScriptString ${ps(on)}`,
    },
    arm: { type: "Microsoft.Compute/virtualMachines", apiVersion: "2024-07-01", properties: { osProfile: { linuxConfiguration: { disablePasswordAuthentication: true } } }, rollback: { osProfile: { linuxConfiguration: { disablePasswordAuthentication: false } } } },
    tf: { type: "azurerm_linux_virtual_machine", body: "disable_password_authentication = true  # takes effect when the VM is rebuilt", rollback: "disable_password_authentication = false" },
    policy: {
      displayName: "Linux virtual machines should use SSH keys only",
      description: "Audits or denies Linux virtual machines that allow password authentication.",
      category: "Compute",
      if: P.all(P.type("Microsoft.Compute/virtualMachines"), P.field("Microsoft.Compute/virtualMachines/storageProfile.osDisk.osType", "equals", "Linux"), P.field("Microsoft.Compute/virtualMachines/osProfile.linuxConfiguration.disablePasswordAuthentication", "notEquals", true)),
      effects: ["Audit", "Deny", "Disabled"],
    },
  });
}
