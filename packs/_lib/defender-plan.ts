import type { Remediation } from "../../src/domain/finding";
import { ps, sh } from "../../src/packs/helpers";
import type { RemediationContext } from "../../src/packs/schema";
import { buildFixes, P } from "./remediate";

/** Defender for Cloud plan packs: one pricing (plan) per pack, set to Standard on the subscription. */

export interface DefenderPlanSpec {
  packId: string;
  /** The `microsoft.security/pricings` name of the plan: StorageAccounts, VirtualMachines, Arm, ... */
  plan: string;
}

/**
 * Drafts turning a Defender for Cloud plan to the Standard tier on the finding's subscription (the resource is the
 * subscription row); rollback returns it to Free.
 */
export function defenderPlanFixes(ctx: RemediationContext, s: DefenderPlanSpec): Remediation[] {
  const { plan } = s;
  // The subscription's display name goes into a comment line; a line break in it must not start a new command.
  const sub = `# Subscription: ${ctx.name.replace(/[\r\n]/g, " ")}`;
  const tier = (t: string) => `tier          = "${t}"\nresource_type = "${plan}"`;
  return buildFixes(ctx, {
    packId: s.packId,
    title: `Turn on the Defender plan (${plan}) for the subscription`,
    role: "Security Admin",
    downtime: "none (billing starts for covered resources)",
    az: {
      precheck: `${sub}\naz security pricing show --name ${plan} --subscription ${sh(ctx.subscriptionId)}`,
      content: `${sub}\naz security pricing create --name ${plan} --tier Standard --subscription ${sh(ctx.subscriptionId)}`,
      rollback: `${sub}\naz security pricing create --name ${plan} --tier Free --subscription ${sh(ctx.subscriptionId)}`,
    },
    ps: {
      precheck: `Get-AzSecurityPricing -Name ${ps(plan)}`,
      content: `Set-AzSecurityPricing -Name ${ps(plan)} -PricingTier 'Standard'`,
      rollback: `Set-AzSecurityPricing -Name ${ps(plan)} -PricingTier 'Free'`,
    },
    arm: {
      type: "Microsoft.Security/pricings",
      apiVersion: "2024-01-01",
      name: plan,
      scope: "subscription",
      properties: { pricingTier: "Standard" },
      rollback: { pricingTier: "Free" },
    },
    tf: {
      type: "azurerm_security_center_subscription_pricing",
      symbol: plan.toLowerCase(),
      importId: `/subscriptions/${ctx.subscriptionId}/providers/Microsoft.Security/pricings/${plan}`,
      body: tier("Standard"),
      rollback: tier("Free"),
    },
    policy: {
      displayName: `Defender plan ${plan} should be on`,
      description: `Audits subscriptions where the Microsoft Defender for Cloud plan ${plan} is not on the Standard tier.`,
      category: "Security Center",
      mode: "All",
      if: P.type("Microsoft.Resources/subscriptions"),
      effects: ["AuditIfNotExists", "Disabled"],
      details: {
        type: "Microsoft.Security/pricings",
        name: plan,
        existenceScope: "subscription",
        existenceCondition: P.field("Microsoft.Security/pricings/pricingTier", "equals", "Standard"),
      },
    },
  });
}
