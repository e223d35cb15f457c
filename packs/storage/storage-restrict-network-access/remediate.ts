import type { Remediation } from "../../../src/domain/finding";
import { sh } from "../../../src/packs/helpers";
import type { RemediationContext } from "../../../src/packs/schema";

export function remediate(ctx: RemediationContext): Remediation[] {
  const target = `--name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)}`;
  const policy = {
    properties: {
      displayName: "Storage accounts should deny network access by default (Clarion draft)",
      policyType: "Custom",
      mode: "Indexed",
      description: "Audits or denies storage accounts whose firewall default action is Allow.",
      metadata: { category: "Storage", source: "clarion:storage-restrict-network-access" },
      parameters: {
        effect: { type: "String", allowedValues: ["Audit", "Deny", "Disabled"], defaultValue: "Audit" },
      },
      policyRule: {
        if: {
          allOf: [
            { field: "type", equals: "Microsoft.Storage/storageAccounts" },
            { field: "Microsoft.Storage/storageAccounts/networkAcls.defaultAction", notEquals: "Deny" },
          ],
        },
        then: { effect: "[parameters('effect')]" },
      },
    },
  };
  return [
    {
      kind: "az-cli",
      title: "Deny by default on the storage firewall",
      precheck: `az storage account show ${target} --query "{defaultAction: networkRules.defaultAction, vnetRules: length(networkRules.virtualNetworkRules), ipRules: length(networkRules.ipRules)}"`,
      content: `az storage account update ${target} --default-action Deny`,
      rollback: `az storage account update ${target} --default-action Allow`,
      requiredRole: "Storage Account Contributor",
      downtime: "none for callers inside allowed networks; others are refused",
    },
    {
      kind: "azure-policy",
      title: "Audit (then deny) storage accounts open to all networks",
      precheck: `Would flag ${ctx.affectedCount} storage account(s) in scope today (what-if before assignment).`,
      content: JSON.stringify(policy, null, 2),
      rollback: "Delete the policy assignment (az policy assignment delete --name <assignment>) and then the definition.",
      requiredRole: "Resource Policy Contributor",
      downtime: "none (audit); deny blocks new non-compliant deployments",
    },
  ];
}
