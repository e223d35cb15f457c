import type { Remediation } from "../../../src/domain/finding";
import { sh } from "../../../src/packs/helpers";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, denyInboundFixes } from "../../_lib/remediate";

/**
 * Just-in-time access is configured in Defender for Cloud (az rest / portal); the drafts close the standing opening
 * with a Deny rule so that JIT's temporary Allow rules become the only way in.
 */
export function remediate(ctx: RemediationContext): Remediation[] {
  const drafts = denyInboundFixes(ctx, {
    packId: "network-jit-management-ports",
    title: "Close standing management-port access; grant it just in time",
    ruleName: "Clarion-Deny-Mgmt-Standing",
    ports: ["22", "3389", "5985-5986"],
    downtime: "none for workloads; administrators request access through just-in-time instead of standing rules",
    policy: {
      displayName: "Virtual machines should be covered by a just-in-time access policy",
      description: "Audits virtual machines for which no just-in-time network access policy exists in Defender for Cloud.",
      category: "Security Center",
      mode: "All",
      if: P.type("Microsoft.Compute/virtualMachines"),
      effects: ["AuditIfNotExists", "Disabled"],
      details: { type: "Microsoft.Security/locations/jitNetworkAccessPolicies", existenceScope: "subscription", existenceCondition: P.field("Microsoft.Security/locations/jitNetworkAccessPolicies/virtualMachines[*].id", "contains", "[field('id')]") },
    },
  });
  const az = drafts.find((d) => d.kind === "az-cli");
  if (az) {
    const url = `https://management.azure.com/subscriptions/${ctx.subscriptionId}/resourceGroups/${ctx.resourceGroup}/providers/Microsoft.Security/locations/${ctx.location || "westeurope"}/jitNetworkAccessPolicies/default?api-version=2020-01-01`;
    const body = JSON.stringify({ kind: "Basic", properties: { virtualMachines: [{ id: ctx.resource.id, ports: [22, 3389].map((number) => ({ number, protocol: "*", allowedSourceAddressPrefix: "*", maxRequestAccessDuration: "PT3H" })) }] } });
    az.content += `\n# Then enable just-in-time access for the VM (merges with an existing 'default' policy only if you add its VMs to the body):\naz rest --method put --url ${sh(url)} --body ${sh(body)}`;
  }
  return drafts;
}
