import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { ps, sh } from "../../../src/packs/helpers";
import { P, buildFixes, settingPolicy } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "acr-restrict-network",
    title: "Deny registry network access by default",
    role: "Contributor",
    downtime: "brief: pulls and pushes from other networks are refused",
    az: {
      precheck: `az acr show --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query "{publicNetworkAccess: publicNetworkAccess, networkRuleSet: networkRuleSet}"`,
      content: `az acr update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --default-action Deny`,
      rollback: `az acr update --name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --default-action Allow`,
    },
    ps: {
      precheck: `(Get-AzContainerRegistry -ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)}).NetworkRuleSet`,
      content: `$r = Get-AzResource -ResourceId ${ps(ctx.resource.id)}\n$r.Properties.networkRuleSet.defaultAction = 'Deny'\n$r | Set-AzResource -Force`,
      rollback: `$r = Get-AzResource -ResourceId ${ps(ctx.resource.id)}\n$r.Properties.networkRuleSet.defaultAction = 'Allow'\n$r | Set-AzResource -Force`,
    },
    arm: { type: "Microsoft.ContainerRegistry/registries", apiVersion: "2023-07-01", keep: ["sku"], properties: { networkRuleSet: { defaultAction: "Deny" } }, rollback: { networkRuleSet: { defaultAction: "Allow" } } },
    tf: { type: "azurerm_container_registry", body: 'network_rule_set {\n  default_action = "Deny"\n}', rollback: 'network_rule_set {\n  default_action = "Allow"\n}' },
    policy: settingPolicy("Microsoft.ContainerRegistry/registries", "Container registries should deny network access by default", "Container Registry", (a) => [P.field(a("publicNetworkAccess"), "notEquals", "Disabled"), P.field(a("networkRuleSet.defaultAction"), "notEquals", "Deny")]),
  });
}
