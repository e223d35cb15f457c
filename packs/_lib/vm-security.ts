import type { Remediation } from "../../src/domain/finding";
import type { ArmResource } from "../../src/domain/resource";
import { compliant, isType, noncompliant, notApplicable, prop } from "../../src/packs/helpers";
import type { Evaluation, EvaluationContext, RemediationContext } from "../../src/packs/schema";
import { checkProps, hasExtension, isTrue, osType, VM } from "./evaluate";
import { azTarget, buildFixes, P, psTarget, settingPolicy } from "./remediate";

/**
 * Virtual machine security-profile settings (encryption at host, Secure Boot, vTPM). Each needs the VM deallocated to
 * change, so the drafts deallocate, update and start it again; rollback does the same with the old value.
 */
export type VmSetting = "encryptionAtHost" | "secureBoot" | "vtpm";
type Os = "Linux" | "Windows";

interface VmSettingFacts {
  title: string;
  /** What `az vm show --query` prints before the change. */
  query: string;
  azFlag: string;
  /** The PowerShell line that sets the value on `$vm`. */
  psSet: (v: boolean) => string;
  /** The `securityProfile` members to set. */
  profile: (v: boolean) => Record<string, unknown>;
  tfArg: string;
  displayName: string;
  /** Policy alias under Microsoft.Compute/virtualMachines/ and, for Trusted Launch settings, the security type gate. */
  alias: string;
  trustedLaunch: boolean;
}

const VM_SETTINGS: Record<VmSetting, VmSettingFacts> = {
  encryptionAtHost: {
    title: "Turn on encryption at host",
    query: "securityProfile.encryptionAtHost",
    azFlag: "--encryption-at-host",
    psSet: (v) => `$vm.SecurityProfile.EncryptionAtHost = $${v}`,
    profile: (v) => ({ encryptionAtHost: v }),
    tfArg: "encryption_at_host_enabled",
    displayName: "Virtual machines should have encryption at host",
    alias: "securityProfile.encryptionAtHost",
    trustedLaunch: false,
  },
  secureBoot: {
    title: "Turn on Secure Boot",
    query: "securityProfile",
    azFlag: "--enable-secure-boot",
    psSet: (v) => `Set-AzVMUefi -VM $vm -EnableSecureBoot $${v} | Out-Null`,
    profile: (v) => ({ uefiSettings: { secureBootEnabled: v } }),
    tfArg: "secure_boot_enabled",
    displayName: "Virtual machines should have Secure Boot",
    alias: "securityProfile.uefiSettings.secureBootEnabled",
    trustedLaunch: true,
  },
  vtpm: {
    title: "Turn on vTPM",
    query: "securityProfile",
    azFlag: "--enable-vtpm",
    psSet: (v) => `Set-AzVMUefi -VM $vm -EnableVtpm $${v} | Out-Null`,
    profile: (v) => ({ uefiSettings: { vTpmEnabled: v } }),
    tfArg: "vtpm_enabled",
    displayName: "Virtual machines should have vTPM",
    alias: "securityProfile.uefiSettings.vTpmEnabled",
    trustedLaunch: true,
  },
};

const vmAlias = (a: string) => `Microsoft.Compute/virtualMachines/${a}`;

export interface VmSettingSpec {
  packId: string;
  setting: VmSetting;
  /** Limit the policy draft to one OS (the OS-specific recommendations). */
  policyOs?: Os;
  effects?: string[];
}

export function vmSettingFixes(ctx: RemediationContext, s: VmSettingSpec): Remediation[] {
  const f = VM_SETTINGS[s.setting];
  const t = azTarget(ctx);
  const p = psTarget(ctx);
  const windows = osType(ctx.resource) === "windows";
  const az = (v: boolean) => `az vm deallocate ${t}\naz vm update ${t} ${f.azFlag} ${v}\naz vm start ${t}`;
  const pwsh = (v: boolean) =>
    `Stop-AzVM ${p} -Force\n$vm = Get-AzVM ${p}\n${f.psSet(v)}\nUpdate-AzVM -ResourceGroupName $vm.ResourceGroupName -VM $vm\nStart-AzVM ${p}`;
  const gates = [
    ...(s.policyOs ? [P.field(vmAlias("storageProfile.osDisk.osType"), "equals", s.policyOs)] : []),
    ...(f.trustedLaunch ? [P.field(vmAlias("securityProfile.securityType"), "equals", "TrustedLaunch")] : []),
  ];
  return buildFixes(ctx, {
    packId: s.packId,
    title: f.title,
    role: "Virtual Machine Contributor",
    downtime: "restart: the VM is deallocated and started again",
    az: { precheck: `az vm show ${t} --query "${f.query}"`, content: az(true), rollback: az(false) },
    ps: { precheck: `Get-AzVM ${p} | Select-Object Name, SecurityProfile, OSProfile`, content: pwsh(true), rollback: pwsh(false) },
    arm: {
      type: VM,
      apiVersion: "2024-07-01",
      properties: { securityProfile: f.profile(true) },
      rollback: { securityProfile: f.profile(false) },
    },
    tf: {
      type: windows ? "azurerm_windows_virtual_machine" : "azurerm_linux_virtual_machine",
      body: `${f.tfArg} = true`,
      rollback: `${f.tfArg} = false`,
    },
    policy: settingPolicy(VM, f.displayName, "Compute", () => [...gates, P.field(vmAlias(f.alias), "notEquals", true)], {
      description: "Audits virtual machines that do not meet this setting.",
      effects: s.effects ?? ["Audit", "Disabled"],
    }),
  });
}

const OS_NAME = { linux: "Linux", windows: "Windows" } as const;

/** Secure Boot and vTPM exist only on Trusted Launch and Confidential VMs; `os` limits the check to one OS. */
export function trustedLaunchEvaluate(resource: ArmResource, setting: "secureBoot" | "vtpm", os?: "linux" | "windows"): Evaluation {
  const trusted = (r: ArmResource) =>
    /^(trustedlaunch|confidentialvm)$/i.test(String(prop(r, "properties.securityProfile.securityType") ?? ""))
      ? undefined
      : "not a Trusted Launch or Confidential VM, so Secure Boot and vTPM are not supported";
  const applies = os ? (r: ArmResource) => (osType(r) !== os ? `not a ${OS_NAME[os]} virtual machine` : trusted(r)) : trusted;
  return checkProps(resource, [VM], [{ path: `properties.${VM_SETTINGS[setting].alias}`, ok: isTrue, expect: "true" }], applies);
}

/** Disk encryption on one OS: Healthy with encryption at host or a working Azure Disk Encryption extension. */
export function diskEncryptionEvaluate(resource: ArmResource, ctx: EvaluationContext, os: "linux" | "windows"): Evaluation {
  if (!isType(resource, VM)) return notApplicable(`not a ${VM}`);
  if (osType(resource) !== os) return notApplicable(`not a ${OS_NAME[os]} virtual machine`);
  const eah = prop(resource, "properties.securityProfile.encryptionAtHost");
  if (isTrue(eah)) return compliant("encryption at host is on", "properties.securityProfile.encryptionAtHost", eah);
  const ade = hasExtension(resource, ctx, {
    publisher: "Microsoft.Azure.Security",
    types: [os === "linux" ? "AzureDiskEncryptionForLinux" : "AzureDiskEncryption"],
  });
  if (ade) return compliant(`Azure Disk Encryption extension '${ade.name.split("/").pop()}' is installed`, "extensions", ade.name);
  return noncompliant(
    "neither encryption at host nor Azure Disk Encryption is enabled, so temp disks and caches are unencrypted",
    "properties.securityProfile.encryptionAtHost",
    eah ?? null,
  );
}
