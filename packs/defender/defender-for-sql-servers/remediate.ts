import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { sh } from "../../../src/packs/helpers";
import { P, buildFixes } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "defender-for-sql-servers",
    title: "Turn on the Defender plan (SqlServers) for the subscription",
    role: "Security Admin",
    downtime: "none (billing starts for covered resources)",
    az: {
      precheck: `# Subscription: ${ctx.name}\naz security pricing show --name SqlServers --subscription ${sh(ctx.subscriptionId)}`,
      content: `# Subscription: ${ctx.name}\naz security pricing create --name SqlServers --tier Standard --subscription ${sh(ctx.subscriptionId)}`,
      rollback: `# Subscription: ${ctx.name}\naz security pricing create --name SqlServers --tier Free --subscription ${sh(ctx.subscriptionId)}`,
    },
    ps: {
      precheck: "Get-AzSecurityPricing -Name 'SqlServers'",
      content: "Set-AzSecurityPricing -Name 'SqlServers' -PricingTier 'Standard'",
      rollback: "Set-AzSecurityPricing -Name 'SqlServers' -PricingTier 'Free'",
    },
    arm: {
      type: "Microsoft.Security/pricings",
      apiVersion: "2024-01-01",
      name: "SqlServers",
      scope: "subscription",
      properties: { pricingTier: "Standard" },
      rollback: { pricingTier: "Free" },
    },
    tf: {
      type: "azurerm_security_center_subscription_pricing",
      symbol: "sqlservers",
      importId: `/subscriptions/${ctx.subscriptionId}/providers/Microsoft.Security/pricings/SqlServers`,
      body: 'tier          = "Standard"\nresource_type = "SqlServers"',
      rollback: 'tier          = "Free"\nresource_type = "SqlServers"',
    },
    policy: {
      displayName: "Defender plan SqlServers should be on",
      description: "Audits subscriptions where the Microsoft Defender for Cloud plan SqlServers is not on the Standard tier.",
      category: "Security Center",
      mode: "All",
      if: P.type("Microsoft.Resources/subscriptions"),
      effects: ["AuditIfNotExists", "Disabled"],
      details: {
        type: "Microsoft.Security/pricings",
        name: "SqlServers",
        existenceScope: "subscription",
        existenceCondition: P.field("Microsoft.Security/pricings/pricingTier", "equals", "Standard"),
      },
    },
  });
}
