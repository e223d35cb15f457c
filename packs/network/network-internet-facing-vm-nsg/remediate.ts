import type { Remediation } from "../../../src/domain/finding";
import { ps, sh } from "../../../src/packs/helpers";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, buildFixes, idParts } from "../../_lib/remediate";

/** Creates an NSG for the VM (Azure's default rules deny inbound Internet traffic) and associates it with the first NIC. */
export function remediate(ctx: RemediationContext): Remediation[] {
  const nicId = (ctx.resource.properties?.networkProfile as { networkInterfaces?: { id?: string }[] } | undefined)?.networkInterfaces?.[0]?.id ?? "";
  const nic = idParts(nicId);
  const nicRg = nic.resourceGroup || ctx.resourceGroup;
  const nsg = `nsg-${ctx.name}`.slice(0, 80);
  const t = `--resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)}`;
  return buildFixes(ctx, {
    packId: "network-internet-facing-vm-nsg",
    title: "Attach a network security group to the VM's NIC",
    role: "Network Contributor",
    downtime: "planned: inbound traffic not allowed by a rule stops once the NSG is attached; add Allow rules for real needs first",
    az: {
      precheck: `az network nic show --name ${sh(nic.name)} --resource-group ${sh(nicRg)} --subscription ${sh(ctx.subscriptionId)} --query "{nsg:networkSecurityGroup.id, ipConfigurations:ipConfigurations[].{subnet:subnet.id, publicIp:publicIPAddress.id}}"`,
      content: `az network nsg create --name ${sh(nsg)} --location ${sh(ctx.location || "westeurope")} ${t}\naz network nic update --name ${sh(nic.name)} --resource-group ${sh(nicRg)} --subscription ${sh(ctx.subscriptionId)} --network-security-group ${sh(`/subscriptions/${ctx.subscriptionId}/resourceGroups/${ctx.resourceGroup}/providers/Microsoft.Network/networkSecurityGroups/${nsg}`)}`,
      rollback: `az network nic update --name ${sh(nic.name)} --resource-group ${sh(nicRg)} --subscription ${sh(ctx.subscriptionId)} --remove networkSecurityGroup\naz network nsg delete --name ${sh(nsg)} ${t}`,
    },
    ps: {
      precheck: `Get-AzNetworkInterface -ResourceGroupName ${ps(nicRg)} -Name ${ps(nic.name)} | Select-Object Name, NetworkSecurityGroup, IpConfigurations`,
      content: [
        `$nsg = New-AzNetworkSecurityGroup -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(nsg)} -Location ${ps(ctx.location || "westeurope")}`,
        `$nic = Get-AzNetworkInterface -ResourceGroupName ${ps(nicRg)} -Name ${ps(nic.name)}`,
        "$nic.NetworkSecurityGroup = $nsg",
        "$nic | Set-AzNetworkInterface",
      ].join("\n"),
      rollback: [`$nic = Get-AzNetworkInterface -ResourceGroupName ${ps(nicRg)} -Name ${ps(nic.name)}`, "$nic.NetworkSecurityGroup = $null", "$nic | Set-AzNetworkInterface", `Remove-AzNetworkSecurityGroup -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(nsg)} -Force`].join("\n"),
    },
    arm: {
      type: "Microsoft.Network/networkSecurityGroups",
      apiVersion: "2023-11-01",
      name: nsg,
      properties: {},
      rollback: {},
      rollbackText: `az network nic update --name ${sh(nic.name)} --resource-group ${sh(nicRg)} --subscription ${sh(ctx.subscriptionId)} --remove networkSecurityGroup\naz network nsg delete --name ${sh(nsg)} ${t}`,
    },
    tf: {
      type: "azurerm_network_interface_security_group_association",
      symbol: `${nsg.replace(/[^A-Za-z0-9_]/g, "_")}_assoc`,
      importId: false,
      vars: { nsg_id: "Id of the NSG to attach (created by the ARM/Bicep draft or your own module)" },
      body: `network_interface_id      = ${JSON.stringify(nicId)}\nnetwork_security_group_id = var.nsg_id`,
      rollback: "",
      rollbackRaw: `removed {\n  from = azurerm_network_interface_security_group_association.${nsg.replace(/[^A-Za-z0-9_]/g, "_")}_assoc\n  lifecycle {\n    destroy = true\n  }\n}`,
    },
    policy: {
      displayName: "Network interfaces should have a network security group",
      description: "Audits network interfaces with no network security group attached (the subnet may still filter; review both).",
      category: "Network",
      mode: "All",
      if: P.all(P.type("Microsoft.Network/networkInterfaces"), P.field("Microsoft.Network/networkInterfaces/networkSecurityGroup.id", "exists", false)),
      effects: ["Audit", "Disabled"],
    },
  });
}
