import type { Remediation } from "../../../src/domain/finding";
import { prop, ps, sh } from "../../../src/packs/helpers";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, buildFixes, psTarget } from "../../_lib/remediate";

/** Detaches the public IP from the NIC (the public IP resource itself is kept, so rollback re-attaches it). */
export function remediate(ctx: RemediationContext): Remediation[] {
  const cfgs = (prop(ctx.resource, "properties.ipConfigurations") as Record<string, unknown>[] | undefined) ?? [];
  const withPip = cfgs.find((c) => prop(c, "properties.publicIPAddress.id")) ?? cfgs[0] ?? {};
  const cfg = String(prop(withPip, "name") ?? "ipconfig1");
  const pip = String(prop(withPip, "properties.publicIPAddress.id") ?? "");
  const t = `--nic-name ${sh(ctx.name)} --name ${sh(cfg)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)}`;
  const strip = (keep: boolean) =>
    cfgs.map((c) => {
      const p = prop(c, "properties.publicIPAddress.id");
      return { name: String(prop(c, "name")), properties: { subnet: { id: String(prop(c, "properties.subnet.id") ?? "") }, privateIPAllocationMethod: String(prop(c, "properties.privateIPAllocationMethod") ?? "Dynamic"), primary: prop(c, "properties.primary") === true, ...(keep && p ? { publicIPAddress: { id: String(p) } } : {}) } };
    });
  return buildFixes(ctx, {
    packId: "network-nic-no-public-ip",
    title: "Detach the public IP from the network interface",
    role: "Network Contributor",
    downtime: "planned: anything reaching the machine on its public IP stops; publish through a load balancer, Application Gateway or Bastion instead",
    az: {
      precheck: `az network nic show --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query "ipConfigurations[].{name:name, publicIp:publicIPAddress.id}"`,
      content: `az network nic ip-config update ${t} --remove publicIPAddress`,
      rollback: `az network nic ip-config update ${t} --public-ip-address ${sh(pip)}`,
    },
    ps: {
      precheck: `Get-AzNetworkInterface ${psTarget(ctx)} | Select-Object -ExpandProperty IpConfigurations | Select-Object Name, PublicIpAddress`,
      content: [`$nic = Get-AzNetworkInterface ${psTarget(ctx)}`, `($nic.IpConfigurations | Where-Object { $_.Name -eq ${ps(cfg)} }).PublicIpAddress = $null`, "$nic | Set-AzNetworkInterface"].join("\n"),
      rollback: [`$nic = Get-AzNetworkInterface ${psTarget(ctx)}`, `Set-AzNetworkInterfaceIpConfig -NetworkInterface $nic -Name ${ps(cfg)} -PublicIpAddressId ${ps(pip)} -SubnetId ${ps(String(prop(withPip, "properties.subnet.id") ?? ""))} | Out-Null`, "$nic | Set-AzNetworkInterface"].join("\n"),
    },
    arm: { type: "Microsoft.Network/networkInterfaces", apiVersion: "2023-11-01", properties: { ipConfigurations: strip(false) }, rollback: { ipConfigurations: strip(true) } },
    tf: {
      type: "azurerm_network_interface",
      body: `ip_configuration {\n  name                          = ${JSON.stringify(cfg)}\n  subnet_id                     = ${JSON.stringify(String(prop(withPip, "properties.subnet.id") ?? ""))}\n  private_ip_address_allocation = "Dynamic"\n}`,
      rollback: `ip_configuration {\n  name                          = ${JSON.stringify(cfg)}\n  subnet_id                     = ${JSON.stringify(String(prop(withPip, "properties.subnet.id") ?? ""))}\n  private_ip_address_allocation = "Dynamic"\n  public_ip_address_id          = ${JSON.stringify(pip)}\n}`,
    },
    policy: {
      displayName: "Network interfaces should not have public IPs",
      description: "Audits or denies network interfaces with a public IP attached directly.",
      category: "Network",
      if: P.all(P.type("Microsoft.Network/networkInterfaces"), { count: { field: "Microsoft.Network/networkInterfaces/ipconfigurations[*]", where: P.field("Microsoft.Network/networkInterfaces/ipconfigurations[*].publicIpAddress.id", "exists", true) }, greater: 0 }),
      effects: ["Audit", "Deny", "Disabled"],
    },
  });
}
