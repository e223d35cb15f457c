import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { sh } from "../../../src/packs/helpers";
import { P, buildFixes } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "defender-for-storage",
    title: "Turn on the Defender plan (StorageAccounts) for the subscription",
    role: "Security Admin",
    downtime: "none (billing starts for covered resources)",
    az: {
      precheck: `# Subscription: ${ctx.name}\naz security pricing show --name StorageAccounts --subscription ${sh(ctx.subscriptionId)}`,
      content: `# Subscription: ${ctx.name}\naz security pricing create --name StorageAccounts --tier Standard --subscription ${sh(ctx.subscriptionId)}`,
      rollback: `# Subscription: ${ctx.name}\naz security pricing create --name StorageAccounts --tier Free --subscription ${sh(ctx.subscriptionId)}`,
    },
    ps: {
      precheck: "Get-AzSecurityPricing -Name 'StorageAccounts'",
      content: "Set-AzSecurityPricing -Name 'StorageAccounts' -PricingTier 'Standard'",
      rollback: "Set-AzSecurityPricing -Name 'StorageAccounts' -PricingTier 'Free'",
    },
    arm: {
      type: "Microsoft.Security/pricings",
      apiVersion: "2024-01-01",
      name: "StorageAccounts",
      scope: "subscription",
      properties: { pricingTier: "Standard" },
      rollback: { pricingTier: "Free" },
    },
    tf: {
      type: "azurerm_security_center_subscription_pricing",
      symbol: "storageaccounts",
      importId: `/subscriptions/${ctx.subscriptionId}/providers/Microsoft.Security/pricings/StorageAccounts`,
      body: 'tier          = "Standard"\nresource_type = "StorageAccounts"',
      rollback: 'tier          = "Free"\nresource_type = "StorageAccounts"',
    },
    policy: {
      displayName: "Defender plan StorageAccounts should be on",
      description: "Audits subscriptions where the Microsoft Defender for Cloud plan StorageAccounts is not on the Standard tier.",
      category: "Security Center",
      mode: "All",
      if: P.type("Microsoft.Resources/subscriptions"),
      effects: ["AuditIfNotExists", "Disabled"],
      details: {
        type: "Microsoft.Security/pricings",
        name: "StorageAccounts",
        existenceScope: "subscription",
        existenceCondition: P.field("Microsoft.Security/pricings/pricingTier", "equals", "Standard"),
      },
    },
  });
}
