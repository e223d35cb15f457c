import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { sh } from "../../../src/packs/helpers";
import { P, buildFixes } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return buildFixes(ctx, {
    packId: "defender-for-servers",
    title: "Turn on the Defender plan (VirtualMachines) for the subscription",
    role: "Security Admin",
    downtime: "none (billing starts for covered resources)",
    az: {
      precheck: `# Subscription: ${ctx.name}\naz security pricing show --name VirtualMachines --subscription ${sh(ctx.subscriptionId)}`,
      content: `# Subscription: ${ctx.name}\naz security pricing create --name VirtualMachines --tier Standard --subscription ${sh(ctx.subscriptionId)}`,
      rollback: `# Subscription: ${ctx.name}\naz security pricing create --name VirtualMachines --tier Free --subscription ${sh(ctx.subscriptionId)}`,
    },
    ps: {
      precheck: "Get-AzSecurityPricing -Name 'VirtualMachines'",
      content: "Set-AzSecurityPricing -Name 'VirtualMachines' -PricingTier 'Standard'",
      rollback: "Set-AzSecurityPricing -Name 'VirtualMachines' -PricingTier 'Free'",
    },
    arm: {
      type: "Microsoft.Security/pricings",
      apiVersion: "2024-01-01",
      name: "VirtualMachines",
      scope: "subscription",
      properties: { pricingTier: "Standard" },
      rollback: { pricingTier: "Free" },
    },
    tf: {
      type: "azurerm_security_center_subscription_pricing",
      symbol: "virtualmachines",
      importId: `/subscriptions/${ctx.subscriptionId}/providers/Microsoft.Security/pricings/VirtualMachines`,
      body: 'tier          = "Standard"\nresource_type = "VirtualMachines"',
      rollback: 'tier          = "Free"\nresource_type = "VirtualMachines"',
    },
    policy: {
      displayName: "Defender plan VirtualMachines should be on",
      description: "Audits subscriptions where the Microsoft Defender for Cloud plan VirtualMachines is not on the Standard tier.",
      category: "Security Center",
      mode: "All",
      if: P.type("Microsoft.Resources/subscriptions"),
      effects: ["AuditIfNotExists", "Disabled"],
      details: {
        type: "Microsoft.Security/pricings",
        name: "VirtualMachines",
        existenceScope: "subscription",
        existenceCondition: P.field("Microsoft.Security/pricings/pricingTier", "equals", "Standard"),
      },
    },
  });
}
