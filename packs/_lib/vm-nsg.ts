import type { Remediation } from "../../src/domain/finding";
import type { ArmResource } from "../../src/domain/resource";
import { compliant, isType, noncompliant, notApplicable, ps, sh } from "../../src/packs/helpers";
import type { Evaluation, EvaluationContext, RemediationContext } from "../../src/packs/schema";
import { nicHasPublicIp, VM, vmExposure } from "./evaluate";
import { buildFixes, idParts, P } from "./remediate";

/**
 * "A VM's NICs are filtered by an NSG", split by Defender into an Internet-facing recommendation (a NIC has a public
 * IP) and a non-Internet-facing one (none has). Unhealthy when a NIC has no NSG on either layer (NIC or subnet), so
 * nothing filters its inbound traffic; Healthy when every NIC is covered by at least one NSG.
 */
export function vmNsgEvaluate(resource: ArmResource, ctx: EvaluationContext, publicIp: boolean): Evaluation {
  if (!isType(resource, VM)) return notApplicable(`not a ${VM}`);
  const x = vmExposure(resource, ctx, []);
  if (x.nics.length === 0) return notApplicable("the VM's network interfaces were not collected");
  const pip = x.nics.some((l) => nicHasPublicIp(l.nic));
  if (pip !== publicIp)
    return notApplicable(
      pip
        ? "the VM has a public IP; see the Internet-facing recommendation"
        : "the VM has no public IP; see the non-Internet-facing recommendation",
    );
  if (x.unfiltered.length)
    return noncompliant(
      `no NSG on ${x.unfiltered.join(", ")} or its subnet, so its inbound traffic is not filtered`,
      "networkSecurityGroup.id",
      null,
    );
  return compliant(
    `every NIC is filtered by an NSG (${x.nics.map((l) => `${l.nic.name}: ${l.nsgs.map((n) => n.name).join(" + ") || l.missing.join(" + ")}`).join("; ")})`,
    "networkSecurityGroup.id",
    x.nics.length,
  );
}

/** Creates an NSG for the VM (Azure's default rules deny inbound Internet traffic) and associates it with the first NIC. */
export function vmNsgFixes(ctx: RemediationContext, packId: string): Remediation[] {
  const nicId =
    (ctx.resource.properties?.networkProfile as { networkInterfaces?: { id?: string }[] } | undefined)?.networkInterfaces?.[0]?.id ?? "";
  const nic = idParts(nicId);
  const nicRg = nic.resourceGroup || ctx.resourceGroup;
  const nsg = `nsg-${ctx.name}`.slice(0, 80);
  const t = `--resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)}`;
  const onNic = `--name ${sh(nic.name)} --resource-group ${sh(nicRg)} --subscription ${sh(ctx.subscriptionId)}`;
  const detach = `az network nic update ${onNic} --remove networkSecurityGroup\naz network nsg delete --name ${sh(nsg)} ${t}`;
  const getNic = `$nic = Get-AzNetworkInterface -ResourceGroupName ${ps(nicRg)} -Name ${ps(nic.name)}`;
  const sym = `${nsg.replace(/[^A-Za-z0-9_]/g, "_")}_assoc`;
  return buildFixes(ctx, {
    packId,
    title: "Attach a network security group to the VM's NIC",
    role: "Network Contributor",
    downtime: "planned: inbound traffic not allowed by a rule stops once the NSG is attached; add Allow rules for real needs first",
    az: {
      precheck: `az network nic show ${onNic} --query "{nsg:networkSecurityGroup.id, ipConfigurations:ipConfigurations[].{subnet:subnet.id, publicIp:publicIPAddress.id}}"`,
      content: `az network nsg create --name ${sh(nsg)} --location ${sh(ctx.location || "westeurope")} ${t}\naz network nic update ${onNic} --network-security-group ${sh(`/subscriptions/${ctx.subscriptionId}/resourceGroups/${ctx.resourceGroup}/providers/Microsoft.Network/networkSecurityGroups/${nsg}`)}`,
      rollback: detach,
    },
    ps: {
      precheck: `Get-AzNetworkInterface -ResourceGroupName ${ps(nicRg)} -Name ${ps(nic.name)} | Select-Object Name, NetworkSecurityGroup, IpConfigurations`,
      content: [
        `$nsg = New-AzNetworkSecurityGroup -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(nsg)} -Location ${ps(ctx.location || "westeurope")}`,
        getNic,
        "$nic.NetworkSecurityGroup = $nsg",
        "$nic | Set-AzNetworkInterface",
      ].join("\n"),
      rollback: [
        getNic,
        "$nic.NetworkSecurityGroup = $null",
        "$nic | Set-AzNetworkInterface",
        `Remove-AzNetworkSecurityGroup -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(nsg)} -Force`,
      ].join("\n"),
    },
    arm: {
      type: "Microsoft.Network/networkSecurityGroups",
      apiVersion: "2023-11-01",
      name: nsg,
      properties: {},
      rollback: {},
      rollbackText: detach,
    },
    tf: {
      type: "azurerm_network_interface_security_group_association",
      symbol: sym,
      importId: false,
      vars: { nsg_id: "Id of the NSG to attach (created by the ARM/Bicep draft or your own module)" },
      body: `network_interface_id      = ${JSON.stringify(nicId)}\nnetwork_security_group_id = var.nsg_id`,
      rollback: "",
      rollbackRaw: `removed {\n  from = azurerm_network_interface_security_group_association.${sym}\n  lifecycle {\n    destroy = true\n  }\n}`,
    },
    policy: {
      displayName: "Network interfaces should have a network security group",
      description: "Audits network interfaces with no network security group attached (the subnet may still filter; review both).",
      category: "Network",
      mode: "All",
      if: P.all(
        P.type("Microsoft.Network/networkInterfaces"),
        P.field("Microsoft.Network/networkInterfaces/networkSecurityGroup.id", "exists", false),
      ),
      effects: ["Audit", "Disabled"],
    },
  });
}
