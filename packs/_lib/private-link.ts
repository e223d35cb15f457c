import type { Remediation } from "../../src/domain/finding";
import { ident, ps, sh } from "../../src/packs/helpers";
import type { RemediationContext } from "../../src/packs/schema";
import { buildFixes, P } from "./remediate";

/** Private-link packs: a private endpoint to the resource in a subnet the operator names. */

export interface PrivateLinkSpec {
  packId: string;
  /** ARM type of the target resource, in ARM casing (e.g. Microsoft.KeyVault/vaults). */
  type: string;
  /** Private link sub-resource (group id) the endpoint connects to: `vault`, `blob`, ... */
  groupId: string;
  /** Role that may approve connections on the target; "Network Contributor on the subnet" is added. */
  serviceRole: string;
}

/**
 * Drafts creating a private endpoint `pe-<name>` to the resource in a subnet the operator names. The endpoint is new,
 * so the rollbacks delete it.
 */
export function privateLinkFixes(ctx: RemediationContext, s: PrivateLinkSpec): Remediation[] {
  const pe = `pe-${ctx.name}`.slice(0, 80);
  const pecs = `${s.type}/privateEndpointConnections[*]`;
  return buildFixes(ctx, {
    packId: s.packId,
    title: "Connect the resource through a private endpoint",
    role: `${s.serviceRole} + Network Contributor on the subnet`,
    downtime: "none; callers switch to the private address once DNS points at it",
    az: {
      precheck: `az network private-endpoint-connection list --id ${sh(ctx.resource.id)}`,
      content: `az network private-endpoint create --name ${pe} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --vnet-name <vnet-name> --subnet <subnet-name> --private-connection-resource-id ${sh(ctx.resource.id)} --group-id ${s.groupId} --connection-name ${pe}`,
      rollback: `az network private-endpoint delete --name ${pe} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)}`,
    },
    ps: {
      precheck: `Get-AzPrivateEndpointConnection -PrivateLinkResourceId ${ps(ctx.resource.id)}`,
      content: [
        `$subnet = Get-AzVirtualNetwork -ResourceGroupName ${ps(ctx.resourceGroup)} -Name '<vnet-name>' | Get-AzVirtualNetworkSubnetConfig -Name '<subnet-name>'`,
        `$conn = New-AzPrivateLinkServiceConnection -Name ${ps(pe)} -PrivateLinkServiceId ${ps(ctx.resource.id)} -GroupId ${ps(s.groupId)}`,
        `New-AzPrivateEndpoint -Name ${ps(pe)} -ResourceGroupName ${ps(ctx.resourceGroup)} -Location ${ps(ctx.location)} -Subnet $subnet -PrivateLinkServiceConnection $conn`,
      ].join("\n"),
      rollback: `Remove-AzPrivateEndpoint -Name ${ps(pe)} -ResourceGroupName ${ps(ctx.resourceGroup)} -Force`,
    },
    arm: {
      type: "Microsoft.Network/privateEndpoints",
      apiVersion: "2023-09-01",
      name: pe,
      properties: {
        subnet: { id: "<subnet-resource-id>" },
        privateLinkServiceConnections: [{ name: pe, properties: { privateLinkServiceId: ctx.resource.id, groupIds: [s.groupId] } }],
      },
      rollback: {},
      rollbackText: `Delete the private endpoint (a template cannot remove it): az network private-endpoint delete --name ${pe} --resource-group ${sh(ctx.resourceGroup)}`,
    },
    tf: {
      type: "azurerm_private_endpoint",
      symbol: ident(pe),
      importId: false,
      body: [
        `name                = ${JSON.stringify(pe)}`,
        `location            = ${JSON.stringify(ctx.location)}`,
        `resource_group_name = ${JSON.stringify(ctx.resourceGroup)}`,
        "subnet_id           = var.private_endpoint_subnet_id",
        "private_service_connection {",
        `  name                           = ${JSON.stringify(pe)}`,
        `  private_connection_resource_id = ${JSON.stringify(ctx.resource.id)}`,
        `  subresource_names              = [${JSON.stringify(s.groupId)}]`,
        "  is_manual_connection           = false",
        "}",
      ].join("\n"),
      rollback: "",
      rollbackRaw: `removed {\n  from = azurerm_private_endpoint.${ident(pe)}\n  lifecycle {\n    destroy = true\n  }\n}`,
    },
    policy: {
      displayName: `${s.type.split("/").pop()} should use a private endpoint`,
      description: "Audits resources of this type that have no approved private endpoint connection.",
      category: "Network",
      if: P.all(P.type(s.type), {
        count: { field: pecs, where: P.field(`${pecs}.privateLinkServiceConnectionState.status`, "equals", "Approved") },
        less: 1,
      }),
      effects: ["Audit", "Disabled"],
    },
  });
}
