import type { Remediation } from "../../../src/domain/finding";
import { prop } from "../../../src/packs/helpers";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, azTarget, buildFixes, psTarget } from "../../_lib/remediate";

/** Turns IP forwarding off. ARM/Bicep restate the IP configurations (a NIC PUT requires them). */
export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const ipConfigurations = ((prop(ctx.resource, "properties.ipConfigurations") as Record<string, unknown>[] | undefined) ?? []).map((c) => {
    const pip = prop(c, "properties.publicIPAddress.id");
    return { name: String(prop(c, "name")), properties: { subnet: { id: String(prop(c, "properties.subnet.id") ?? "") }, privateIPAllocationMethod: String(prop(c, "properties.privateIPAllocationMethod") ?? "Dynamic"), primary: prop(c, "properties.primary") === true, ...(pip ? { publicIPAddress: { id: String(pip) } } : {}) } };
  });
  return buildFixes(ctx, {
    packId: "network-ip-forwarding-disabled",
    title: "Turn off IP forwarding on the network interface",
    role: "Network Contributor",
    downtime: "none unless the machine is a router or network appliance, which stops forwarding traffic",
    az: {
      precheck: `az network nic show ${t} --query "{ipForwarding:enableIPForwarding, vm:virtualMachine.id}"`,
      content: `az network nic update ${t} --ip-forwarding false`,
      rollback: `az network nic update ${t} --ip-forwarding true`,
    },
    ps: {
      precheck: `Get-AzNetworkInterface ${psTarget(ctx)} | Select-Object Name, EnableIPForwarding, VirtualMachine`,
      content: [`$nic = Get-AzNetworkInterface ${psTarget(ctx)}`, "$nic.EnableIPForwarding = $false", "$nic | Set-AzNetworkInterface"].join("\n"),
      rollback: [`$nic = Get-AzNetworkInterface ${psTarget(ctx)}`, "$nic.EnableIPForwarding = $true", "$nic | Set-AzNetworkInterface"].join("\n"),
    },
    arm: { type: "Microsoft.Network/networkInterfaces", apiVersion: "2023-11-01", properties: { enableIPForwarding: false, ipConfigurations }, rollback: { enableIPForwarding: true, ipConfigurations } },
    tf: { type: "azurerm_network_interface", body: "ip_forwarding_enabled = false", rollback: "ip_forwarding_enabled = true" },
    policy: {
      displayName: "Network interfaces should not forward IP traffic",
      description: "Audits or denies network interfaces with IP forwarding enabled; exempt real network appliances.",
      category: "Network",
      if: P.all(P.type("Microsoft.Network/networkInterfaces"), P.field("Microsoft.Network/networkInterfaces/enableIPForwarding", "equals", true)),
      effects: ["Audit", "Deny", "Disabled"],
    },
  });
}
