import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, azTarget, buildFixes, flag, was, psWord } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const pol = String(was(ctx, "properties.networkAccessPolicy", "AllowAll"));
  const pub = String(was(ctx, "properties.publicNetworkAccess", "Enabled"));
  const d = `-ResourceGroupName '${ctx.resourceGroup.replace(/'/g, "''")}' -DiskName '${ctx.name.replace(/'/g, "''")}'`;
  return buildFixes(ctx, {
    packId: "disk-public-network-disabled",
    title: "Close the managed disk's public import/export access",
    role: "Disk Snapshot Contributor or Virtual Machine Contributor",
    downtime: "none for the VM; SAS-based export or upload of the disk from the Internet stops",
    az: {
      precheck: `az disk show ${t} --query "{policy:networkAccessPolicy, public:publicNetworkAccess, diskAccess:diskAccessId}"`,
      content: `az disk update ${t} --network-access-policy DenyAll --public-network-access Disabled`,
      rollback: `az disk update ${t} --network-access-policy ${flag(pol)} --public-network-access ${flag(pub)}`,
    },
    ps: {
      precheck: `Get-AzDisk ${d} | Select-Object Name, NetworkAccessPolicy, PublicNetworkAccess`,
      content: `$u = New-AzDiskUpdateConfig -NetworkAccessPolicy DenyAll -PublicNetworkAccess Disabled\nUpdate-AzDisk ${d} -DiskUpdate $u`,
      rollback: `$u = New-AzDiskUpdateConfig -NetworkAccessPolicy ${psWord(pol)} -PublicNetworkAccess ${psWord(pub)}\nUpdate-AzDisk ${d} -DiskUpdate $u`,
    },
    arm: { type: "Microsoft.Compute/disks", apiVersion: "2023-10-02", keep: ["sku"], properties: { networkAccessPolicy: "DenyAll", publicNetworkAccess: "Disabled" }, rollback: { networkAccessPolicy: pol, publicNetworkAccess: pub } },
    tf: { type: "azurerm_managed_disk", body: 'network_access_policy         = "DenyAll"\npublic_network_access_enabled = false', rollback: `network_access_policy         = ${JSON.stringify(pol)}\npublic_network_access_enabled = ${pub.toLowerCase() !== "disabled"}` },
    policy: {
      displayName: "Managed disks should disable public network access",
      description: "Audits or denies managed disks whose import/export is open to public networks.",
      category: "Compute",
      if: P.all(P.type("Microsoft.Compute/disks"), P.any(P.field("Microsoft.Compute/disks/networkAccessPolicy", "notIn", ["DenyAll", "AllowPrivate"]), P.field("Microsoft.Compute/disks/publicNetworkAccess", "notEquals", "Disabled"))),
      effects: ["Audit", "Deny", "Disabled"],
    },
  });
}
