import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, azTarget, buildFixes, flag, was, psWord } from "../../_lib/remediate";

/** Points the disk at a disk encryption set (customer-managed key). The set's id is a parameter. */
export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const type = String(was(ctx, "properties.encryption.type", "EncryptionAtRestWithPlatformKey"));
  const d = `-ResourceGroupName '${ctx.resourceGroup.replace(/'/g, "''")}' -DiskName '${ctx.name.replace(/'/g, "''")}'`;
  return buildFixes(ctx, {
    packId: "disk-customer-managed-key",
    title: "Encrypt the disk with a customer-managed key (disk encryption set)",
    role: "Virtual Machine Contributor (and Reader on the disk encryption set)",
    downtime: "restart: an attached disk's encryption can only change while its VM is deallocated",
    az: {
      precheck: `az disk show ${t} --query "{type:encryption.type, des:encryption.diskEncryptionSetId, vm:managedBy}"\n# DES_ID: id of a disk encryption set whose identity can wrap/unwrap with your Key Vault key`,
      content: `az disk update ${t} --encryption-type EncryptionAtRestWithCustomerKey --disk-encryption-set "$DES_ID"`,
      rollback: `az disk update ${t} --encryption-type ${flag(type)}`,
    },
    ps: {
      precheck: `Get-AzDisk ${d} | Select-Object Name, Encryption, ManagedBy`,
      content: `$u = New-AzDiskUpdateConfig -EncryptionType EncryptionAtRestWithCustomerKey -DiskEncryptionSetId $env:DES_ID\nUpdate-AzDisk ${d} -DiskUpdate $u`,
      rollback: `$u = New-AzDiskUpdateConfig -EncryptionType ${psWord(type)}\nUpdate-AzDisk ${d} -DiskUpdate $u`,
    },
    arm: { type: "Microsoft.Compute/disks", apiVersion: "2023-10-02", keep: ["sku"], params: { desId: "Id of the disk encryption set" }, properties: { encryption: { type: "EncryptionAtRestWithCustomerKey", diskEncryptionSetId: "{{desId}}" } }, rollback: { encryption: { type } } },
    tf: { type: "azurerm_managed_disk", vars: { des_id: "Id of the disk encryption set" }, body: "disk_encryption_set_id = var.des_id", rollback: "# remove disk_encryption_set_id (platform-managed key)" },
    policy: {
      displayName: "Managed disks should use a customer-managed key",
      description: "Audits or denies managed disks encrypted only with platform-managed keys.",
      category: "Compute",
      if: P.all(P.type("Microsoft.Compute/disks"), P.field("Microsoft.Compute/disks/encryption.type", "notIn", ["EncryptionAtRestWithCustomerKey", "EncryptionAtRestWithPlatformAndCustomerKeys"])),
      effects: ["Audit", "Deny", "Disabled"],
    },
  });
}
