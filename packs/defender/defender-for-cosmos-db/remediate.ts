import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { sh } from "../../../src/packs/helpers";
import { P, buildFixes } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "defender-for-cosmos-db",
    title: "Turn on the Defender plan (CosmosDbs) for the subscription",
    role: "Security Admin",
    downtime: "none (billing starts for covered resources)",
    az: {
      precheck: `# Subscription: ${ctx.name}\naz security pricing show --name CosmosDbs --subscription ${sh(ctx.subscriptionId)}`,
      content: `# Subscription: ${ctx.name}\naz security pricing create --name CosmosDbs --tier Standard --subscription ${sh(ctx.subscriptionId)}`,
      rollback: `# Subscription: ${ctx.name}\naz security pricing create --name CosmosDbs --tier Free --subscription ${sh(ctx.subscriptionId)}`,
    },
    ps: {
      precheck: "Get-AzSecurityPricing -Name 'CosmosDbs'",
      content: "Set-AzSecurityPricing -Name 'CosmosDbs' -PricingTier 'Standard'",
      rollback: "Set-AzSecurityPricing -Name 'CosmosDbs' -PricingTier 'Free'",
    },
    arm: {
      type: "Microsoft.Security/pricings",
      apiVersion: "2024-01-01",
      name: "CosmosDbs",
      scope: "subscription",
      properties: { pricingTier: "Standard" },
      rollback: { pricingTier: "Free" },
    },
    tf: {
      type: "azurerm_security_center_subscription_pricing",
      symbol: "cosmosdbs",
      importId: `/subscriptions/${ctx.subscriptionId}/providers/Microsoft.Security/pricings/CosmosDbs`,
      body: 'tier          = "Standard"\nresource_type = "CosmosDbs"',
      rollback: 'tier          = "Free"\nresource_type = "CosmosDbs"',
    },
    policy: {
      displayName: "Defender plan CosmosDbs should be on",
      description: "Audits subscriptions where the Microsoft Defender for Cloud plan CosmosDbs is not on the Standard tier.",
      category: "Security Center",
      mode: "All",
      if: P.type("Microsoft.Resources/subscriptions"),
      effects: ["AuditIfNotExists", "Disabled"],
      details: {
        type: "Microsoft.Security/pricings",
        name: "CosmosDbs",
        existenceScope: "subscription",
        existenceCondition: P.field("Microsoft.Security/pricings/pricingTier", "equals", "Standard"),
      },
    },
  });
}
