import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { sh } from "../../../src/packs/helpers";
import { P, buildFixes } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "defender-for-open-source-databases",
    title: "Turn on the Defender plan (OpenSourceRelationalDatabases) for the subscription",
    role: "Security Admin",
    downtime: "none (billing starts for covered resources)",
    az: {
      precheck: `# Subscription: ${ctx.name}\naz security pricing show --name OpenSourceRelationalDatabases --subscription ${sh(ctx.subscriptionId)}`,
      content: `# Subscription: ${ctx.name}\naz security pricing create --name OpenSourceRelationalDatabases --tier Standard --subscription ${sh(ctx.subscriptionId)}`,
      rollback: `# Subscription: ${ctx.name}\naz security pricing create --name OpenSourceRelationalDatabases --tier Free --subscription ${sh(ctx.subscriptionId)}`,
    },
    ps: {
      precheck: "Get-AzSecurityPricing -Name 'OpenSourceRelationalDatabases'",
      content: "Set-AzSecurityPricing -Name 'OpenSourceRelationalDatabases' -PricingTier 'Standard'",
      rollback: "Set-AzSecurityPricing -Name 'OpenSourceRelationalDatabases' -PricingTier 'Free'",
    },
    arm: {
      type: "Microsoft.Security/pricings",
      apiVersion: "2024-01-01",
      name: "OpenSourceRelationalDatabases",
      scope: "subscription",
      properties: { pricingTier: "Standard" },
      rollback: { pricingTier: "Free" },
    },
    tf: {
      type: "azurerm_security_center_subscription_pricing",
      symbol: "opensourcerelationaldatabases",
      importId: `/subscriptions/${ctx.subscriptionId}/providers/Microsoft.Security/pricings/OpenSourceRelationalDatabases`,
      body: 'tier          = "Standard"\nresource_type = "OpenSourceRelationalDatabases"',
      rollback: 'tier          = "Free"\nresource_type = "OpenSourceRelationalDatabases"',
    },
    policy: {
      displayName: "Defender plan OpenSourceRelationalDatabases should be on",
      description: "Audits subscriptions where the Microsoft Defender for Cloud plan OpenSourceRelationalDatabases is not on the Standard tier.",
      category: "Security Center",
      mode: "All",
      if: P.type("Microsoft.Resources/subscriptions"),
      effects: ["AuditIfNotExists", "Disabled"],
      details: {
        type: "Microsoft.Security/pricings",
        name: "OpenSourceRelationalDatabases",
        existenceScope: "subscription",
        existenceCondition: P.field("Microsoft.Security/pricings/pricingTier", "equals", "Standard"),
      },
    },
  });
}
