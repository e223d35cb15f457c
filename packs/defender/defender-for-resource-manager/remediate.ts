import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { sh } from "../../../src/packs/helpers";
import { P, buildFixes } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "defender-for-resource-manager",
    title: "Turn on the Defender plan (Arm) for the subscription",
    role: "Security Admin",
    downtime: "none (billing starts for covered resources)",
    az: {
      precheck: `# Subscription: ${ctx.name}\naz security pricing show --name Arm --subscription ${sh(ctx.subscriptionId)}`,
      content: `# Subscription: ${ctx.name}\naz security pricing create --name Arm --tier Standard --subscription ${sh(ctx.subscriptionId)}`,
      rollback: `# Subscription: ${ctx.name}\naz security pricing create --name Arm --tier Free --subscription ${sh(ctx.subscriptionId)}`,
    },
    ps: {
      precheck: "Get-AzSecurityPricing -Name 'Arm'",
      content: "Set-AzSecurityPricing -Name 'Arm' -PricingTier 'Standard'",
      rollback: "Set-AzSecurityPricing -Name 'Arm' -PricingTier 'Free'",
    },
    arm: {
      type: "Microsoft.Security/pricings",
      apiVersion: "2024-01-01",
      name: "Arm",
      scope: "subscription",
      properties: { pricingTier: "Standard" },
      rollback: { pricingTier: "Free" },
    },
    tf: {
      type: "azurerm_security_center_subscription_pricing",
      symbol: "arm",
      importId: `/subscriptions/${ctx.subscriptionId}/providers/Microsoft.Security/pricings/Arm`,
      body: 'tier          = "Standard"\nresource_type = "Arm"',
      rollback: 'tier          = "Free"\nresource_type = "Arm"',
    },
    policy: {
      displayName: "Defender plan Arm should be on",
      description: "Audits subscriptions where the Microsoft Defender for Cloud plan Arm is not on the Standard tier.",
      category: "Security Center",
      mode: "All",
      if: P.type("Microsoft.Resources/subscriptions"),
      effects: ["AuditIfNotExists", "Disabled"],
      details: {
        type: "Microsoft.Security/pricings",
        name: "Arm",
        existenceScope: "subscription",
        existenceCondition: P.field("Microsoft.Security/pricings/pricingTier", "equals", "Standard"),
      },
    },
  });
}
