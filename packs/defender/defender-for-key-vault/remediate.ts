import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { sh } from "../../../src/packs/helpers";
import { P, buildFixes } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "defender-for-key-vault",
    title: "Turn on the Defender plan (KeyVaults) for the subscription",
    role: "Security Admin",
    downtime: "none (billing starts for covered resources)",
    az: {
      precheck: `# Subscription: ${ctx.name}\naz security pricing show --name KeyVaults --subscription ${sh(ctx.subscriptionId)}`,
      content: `# Subscription: ${ctx.name}\naz security pricing create --name KeyVaults --tier Standard --subscription ${sh(ctx.subscriptionId)}`,
      rollback: `# Subscription: ${ctx.name}\naz security pricing create --name KeyVaults --tier Free --subscription ${sh(ctx.subscriptionId)}`,
    },
    ps: {
      precheck: "Get-AzSecurityPricing -Name 'KeyVaults'",
      content: "Set-AzSecurityPricing -Name 'KeyVaults' -PricingTier 'Standard'",
      rollback: "Set-AzSecurityPricing -Name 'KeyVaults' -PricingTier 'Free'",
    },
    arm: {
      type: "Microsoft.Security/pricings",
      apiVersion: "2024-01-01",
      name: "KeyVaults",
      scope: "subscription",
      properties: { pricingTier: "Standard" },
      rollback: { pricingTier: "Free" },
    },
    tf: {
      type: "azurerm_security_center_subscription_pricing",
      symbol: "keyvaults",
      importId: `/subscriptions/${ctx.subscriptionId}/providers/Microsoft.Security/pricings/KeyVaults`,
      body: 'tier          = "Standard"\nresource_type = "KeyVaults"',
      rollback: 'tier          = "Free"\nresource_type = "KeyVaults"',
    },
    policy: {
      displayName: "Defender plan KeyVaults should be on",
      description: "Audits subscriptions where the Microsoft Defender for Cloud plan KeyVaults is not on the Standard tier.",
      category: "Security Center",
      mode: "All",
      if: P.type("Microsoft.Resources/subscriptions"),
      effects: ["AuditIfNotExists", "Disabled"],
      details: {
        type: "Microsoft.Security/pricings",
        name: "KeyVaults",
        existenceScope: "subscription",
        existenceCondition: P.field("Microsoft.Security/pricings/pricingTier", "equals", "Standard"),
      },
    },
  });
}
