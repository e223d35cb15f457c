import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ident, ps, sh } from "../../../src/packs/helpers";
import { P, buildFixes } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const pe = `pe-${ctx.name}`.slice(0, 80);
  return buildFixes(ctx, {
    packId: "keyvault-private-link",
    title: "Connect the resource through a private endpoint",
    role: "Key Vault Contributor + Network Contributor on the subnet",
    downtime: "none; callers switch to the private address once DNS points at it",
    az: {
      precheck: `az network private-endpoint-connection list --id ${sh(ctx.resource.id)}`,
      content: `az network private-endpoint create --name ${pe} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --vnet-name <vnet-name> --subnet <subnet-name> --private-connection-resource-id ${sh(ctx.resource.id)} --group-id vault --connection-name ${pe}`,
      rollback: `az network private-endpoint delete --name ${pe} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)}`,
    },
    ps: {
      precheck: `Get-AzPrivateEndpointConnection -PrivateLinkResourceId ${ps(ctx.resource.id)}`,
      content: [
        `$subnet = Get-AzVirtualNetwork -ResourceGroupName ${ps(ctx.resourceGroup)} -Name '<vnet-name>' | Get-AzVirtualNetworkSubnetConfig -Name '<subnet-name>'`,
        `$conn = New-AzPrivateLinkServiceConnection -Name ${ps(pe)} -PrivateLinkServiceId ${ps(ctx.resource.id)} -GroupId 'vault'`,
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
        privateLinkServiceConnections: [{ name: pe, properties: { privateLinkServiceId: ctx.resource.id, groupIds: ["vault"] } }],
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
        `subnet_id           = var.private_endpoint_subnet_id`,
        `private_service_connection {`,
        `  name                           = ${JSON.stringify(pe)}`,
        `  private_connection_resource_id = ${JSON.stringify(ctx.resource.id)}`,
        `  subresource_names              = ["vault"]`,
        `  is_manual_connection           = false`,
        `}`,
      ].join("\n"),
      rollback: "",
      rollbackRaw: `removed {\n  from = azurerm_private_endpoint.${ident(pe)}\n  lifecycle {\n    destroy = true\n  }\n}`,
    },
    policy: {
      displayName: "vaults should use a private endpoint",
      description: "Audits resources of this type that have no approved private endpoint connection.",
      category: "Network",
      if: P.all(
        P.type("Microsoft.KeyVault/vaults"),
        { count: { field: "Microsoft.KeyVault/vaults/privateEndpointConnections[*]", where: P.field("Microsoft.KeyVault/vaults/privateEndpointConnections[*].privateLinkServiceConnectionState.status", "equals", "Approved") }, less: 1 },
      ),
      effects: ["Audit", "Disabled"],
    },
  });
}
