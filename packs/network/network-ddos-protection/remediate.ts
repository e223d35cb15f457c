import type { Remediation } from "../../../src/domain/finding";
import { prop } from "../../../src/packs/helpers";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, azTarget, buildFixes, psTarget } from "../../_lib/remediate";

/** Links the VNet to a DDoS protection plan. ARM/Bicep restate the address space and subnets (a VNet PUT replaces them). */
export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const subnets = ((prop(ctx.resource, "properties.subnets") as Record<string, unknown>[] | undefined) ?? []).map((s) => {
    const nsg = prop(s, "properties.networkSecurityGroup.id");
    return { name: String(prop(s, "name")), properties: { addressPrefix: String(prop(s, "properties.addressPrefix") ?? ""), ...(nsg ? { networkSecurityGroup: { id: String(nsg) } } : {}) } };
  });
  const base = { addressSpace: { addressPrefixes: (prop(ctx.resource, "properties.addressSpace.addressPrefixes") as string[] | undefined) ?? [] }, subnets };
  return buildFixes(ctx, {
    packId: "network-ddos-protection",
    title: "Link the virtual network to a DDoS protection plan",
    role: "Network Contributor",
    downtime: "none (the plan is billed monthly per plan plus per protected public IP above the included count)",
    az: {
      precheck: `az network vnet show ${t} --query "{ddos:enableDdosProtection, plan:ddosProtectionPlan.id}"\n# DDOS_PLAN_ID: an existing Microsoft.Network/ddosProtectionPlans id (one plan can cover many VNets)`,
      content: `az network vnet update ${t} --ddos-protection true --ddos-protection-plan "$DDOS_PLAN_ID"`,
      rollback: `az network vnet update ${t} --ddos-protection false --remove ddosProtectionPlan`,
    },
    ps: {
      precheck: `Get-AzVirtualNetwork ${psTarget(ctx)} | Select-Object Name, EnableDdosProtection, DdosProtectionPlan`,
      content: [`$plan = Get-AzDdosProtectionPlan -ResourceGroupName $env:DDOS_PLAN_RG -Name $env:DDOS_PLAN_NAME`, `$vnet = Get-AzVirtualNetwork ${psTarget(ctx)}`, "$vnet.DdosProtectionPlan = New-Object Microsoft.Azure.Commands.Network.Models.PSResourceId", "$vnet.DdosProtectionPlan.Id = $plan.Id", "$vnet.EnableDdosProtection = $true", "$vnet | Set-AzVirtualNetwork"].join("\n"),
      rollback: [`$vnet = Get-AzVirtualNetwork ${psTarget(ctx)}`, "$vnet.EnableDdosProtection = $false", "$vnet.DdosProtectionPlan = $null", "$vnet | Set-AzVirtualNetwork"].join("\n"),
    },
    arm: {
      type: "Microsoft.Network/virtualNetworks",
      apiVersion: "2023-11-01",
      params: { ddosPlanId: "Id of the DDoS protection plan" },
      properties: { ...base, enableDdosProtection: true, ddosProtectionPlan: { id: "{{ddosPlanId}}" } },
      rollback: { ...base, enableDdosProtection: false },
    },
    tf: {
      type: "azurerm_virtual_network",
      vars: { ddos_plan_id: "Id of the DDoS protection plan" },
      body: "ddos_protection_plan {\n  id     = var.ddos_plan_id\n  enable = true\n}",
      rollback: "# remove the ddos_protection_plan block",
    },
    policy: {
      displayName: "Virtual networks should be protected by Azure DDoS Protection",
      description: "Audits virtual networks not linked to a DDoS protection plan.",
      category: "Network",
      mode: "Indexed",
      if: P.all(P.type("Microsoft.Network/virtualNetworks"), P.any(P.field("Microsoft.Network/virtualNetworks/enableDdosProtection", "notEquals", true), P.field("Microsoft.Network/virtualNetworks/ddosProtectionPlan.id", "exists", false))),
      effects: ["Audit", "Disabled"],
    },
  });
}
