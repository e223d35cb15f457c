import type { Remediation } from "../../../src/domain/finding";
import { prop, ps, sh } from "../../../src/packs/helpers";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, buildFixes } from "../../_lib/remediate";

/** The first subnet without an NSG (the drafts fix one subnet; repeat per subnet listed in the finding). */
function target(ctx: RemediationContext): { vnet: string; subnet: string; prefix: string } {
  if (ctx.resource.type.toLowerCase().endsWith("/subnets")) {
    const [vnet, subnet] = ctx.name.includes("/") ? ctx.name.split("/") : [ctx.resource.id.split("/").slice(-3)[0], ctx.name];
    return { vnet, subnet, prefix: String(prop(ctx.resource, "properties.addressPrefix") ?? "") };
  }
  const subnets = (prop(ctx.resource, "properties.subnets") as Record<string, unknown>[] | undefined) ?? [];
  const bare = subnets.find((s) => !prop(s, "properties.networkSecurityGroup.id") && !/^(gateway|azurefirewall|azurefirewallmanagement|routeserver)subnet$/i.test(String(prop(s, "name")))) ?? subnets[0] ?? {};
  return { vnet: ctx.name, subnet: String(prop(bare, "name") ?? "default"), prefix: String(prop(bare, "properties.addressPrefix") ?? "") };
}

export function remediate(ctx: RemediationContext): Remediation[] {
  const { vnet, subnet, prefix } = target(ctx);
  const nsg = `nsg-${subnet}`.slice(0, 80);
  const nsgId = `/subscriptions/${ctx.subscriptionId}/resourceGroups/${ctx.resourceGroup}/providers/Microsoft.Network/networkSecurityGroups/${nsg}`;
  const t = `--resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)}`;
  const detach = `az network vnet subnet update --vnet-name ${sh(vnet)} --name ${sh(subnet)} ${t} --remove networkSecurityGroup`;
  return buildFixes(ctx, {
    packId: "network-subnet-nsg",
    title: `Associate a network security group with subnet ${subnet}`,
    role: "Network Contributor",
    downtime: "planned: inbound traffic to the subnet that no rule allows stops (traffic inside the virtual network stays allowed by the default rules)",
    az: {
      precheck: `az network vnet subnet show --vnet-name ${sh(vnet)} --name ${sh(subnet)} ${t} --query "{prefix:addressPrefix, nsg:networkSecurityGroup.id}"`,
      content: `az network nsg create --name ${sh(nsg)} --location ${sh(ctx.location || "westeurope")} ${t}\naz network vnet subnet update --vnet-name ${sh(vnet)} --name ${sh(subnet)} ${t} --network-security-group ${sh(nsg)}`,
      rollback: `${detach}\naz network nsg delete --name ${sh(nsg)} ${t}`,
    },
    ps: {
      precheck: `Get-AzVirtualNetwork -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(vnet)} | Get-AzVirtualNetworkSubnetConfig -Name ${ps(subnet)}`,
      content: [
        `$nsg = New-AzNetworkSecurityGroup -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(nsg)} -Location ${ps(ctx.location || "westeurope")}`,
        `$vnet = Get-AzVirtualNetwork -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(vnet)}`,
        `Set-AzVirtualNetworkSubnetConfig -VirtualNetwork $vnet -Name ${ps(subnet)} -AddressPrefix ${ps(prefix)} -NetworkSecurityGroup $nsg | Set-AzVirtualNetwork`,
      ].join("\n"),
      rollback: [
        `$vnet = Get-AzVirtualNetwork -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(vnet)}`,
        `($vnet.Subnets | Where-Object { $_.Name -eq ${ps(subnet)} }).NetworkSecurityGroup = $null`,
        "$vnet | Set-AzVirtualNetwork",
        `Remove-AzNetworkSecurityGroup -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(nsg)} -Force`,
      ].join("\n"),
    },
    arm: {
      type: "Microsoft.Network/virtualNetworks/subnets",
      apiVersion: "2023-11-01",
      name: `${vnet}/${subnet}`,
      location: false,
      params: { nsgId: `Id of the NSG to attach, e.g. ${nsgId} (create it first)` },
      properties: { addressPrefix: prefix, networkSecurityGroup: { id: "{{nsgId}}" } },
      rollback: { addressPrefix: prefix },
    },
    tf: {
      type: "azurerm_subnet_network_security_group_association",
      symbol: `${subnet.replace(/[^A-Za-z0-9_]/g, "_")}_nsg`,
      importId: false,
      vars: { nsg_id: "Id of the NSG to attach" },
      body: `subnet_id                 = ${JSON.stringify(`/subscriptions/${ctx.subscriptionId}/resourceGroups/${ctx.resourceGroup}/providers/Microsoft.Network/virtualNetworks/${vnet}/subnets/${subnet}`)}\nnetwork_security_group_id = var.nsg_id`,
      rollback: "",
      rollbackRaw: `removed {\n  from = azurerm_subnet_network_security_group_association.${subnet.replace(/[^A-Za-z0-9_]/g, "_")}_nsg\n  lifecycle {\n    destroy = true\n  }\n}`,
    },
    policy: {
      displayName: "Subnets should be associated with a network security group",
      description: "Audits or denies subnets without a network security group (platform subnets such as GatewaySubnet are excluded).",
      category: "Network",
      mode: "All",
      if: P.all(P.type("Microsoft.Network/virtualNetworks/subnets"), P.field("name", "notIn", ["GatewaySubnet", "AzureFirewallSubnet", "AzureFirewallManagementSubnet", "RouteServerSubnet"]), P.field("Microsoft.Network/virtualNetworks/subnets/networkSecurityGroup.id", "exists", false)),
      effects: ["Audit", "Deny", "Disabled"],
    },
  });
}
