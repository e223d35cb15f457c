import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { sh } from "../../../src/packs/helpers";
import { P, buildFixes } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "defender-for-sql-on-machines",
    title: "Turn on the Defender plan (SqlServerVirtualMachines) for the subscription",
    role: "Security Admin",
    downtime: "none (billing starts for covered resources)",
    az: {
      precheck: `# Subscription: ${ctx.name}\naz security pricing show --name SqlServerVirtualMachines --subscription ${sh(ctx.subscriptionId)}`,
      content: `# Subscription: ${ctx.name}\naz security pricing create --name SqlServerVirtualMachines --tier Standard --subscription ${sh(ctx.subscriptionId)}`,
      rollback: `# Subscription: ${ctx.name}\naz security pricing create --name SqlServerVirtualMachines --tier Free --subscription ${sh(ctx.subscriptionId)}`,
    },
    ps: {
      precheck: "Get-AzSecurityPricing -Name 'SqlServerVirtualMachines'",
      content: "Set-AzSecurityPricing -Name 'SqlServerVirtualMachines' -PricingTier 'Standard'",
      rollback: "Set-AzSecurityPricing -Name 'SqlServerVirtualMachines' -PricingTier 'Free'",
    },
    arm: {
      type: "Microsoft.Security/pricings",
      apiVersion: "2024-01-01",
      name: "SqlServerVirtualMachines",
      scope: "subscription",
      properties: { pricingTier: "Standard" },
      rollback: { pricingTier: "Free" },
    },
    tf: {
      type: "azurerm_security_center_subscription_pricing",
      symbol: "sqlservervirtualmachines",
      importId: `/subscriptions/${ctx.subscriptionId}/providers/Microsoft.Security/pricings/SqlServerVirtualMachines`,
      body: 'tier          = "Standard"\nresource_type = "SqlServerVirtualMachines"',
      rollback: 'tier          = "Free"\nresource_type = "SqlServerVirtualMachines"',
    },
    policy: {
      displayName: "Defender plan SqlServerVirtualMachines should be on",
      description: "Audits subscriptions where the Microsoft Defender for Cloud plan SqlServerVirtualMachines is not on the Standard tier.",
      category: "Security Center",
      mode: "All",
      if: P.type("Microsoft.Resources/subscriptions"),
      effects: ["AuditIfNotExists", "Disabled"],
      details: {
        type: "Microsoft.Security/pricings",
        name: "SqlServerVirtualMachines",
        existenceScope: "subscription",
        existenceCondition: P.field("Microsoft.Security/pricings/pricingTier", "equals", "Standard"),
      },
    },
  });
}
