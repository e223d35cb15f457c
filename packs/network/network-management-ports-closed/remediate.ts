import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, denyInboundFixes, internetRulePolicy } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return denyInboundFixes(ctx, {
    packId: "network-management-ports-closed",
    title: "Deny SSH, RDP and WinRM from the Internet",
    ruleName: "Clarion-Deny-Mgmt-Internet",
    ports: ["22", "3389", "5985-5986"],
    downtime: "none for workloads; administrators must connect through Bastion, VPN or just-in-time access",
    policy: internetRulePolicy("NSG rules should not allow management ports from the Internet", "Audits or denies inbound Allow rules that open SSH, RDP or WinRM to any source or the Internet.", (range, ranges) =>
      P.any(P.field(range, "in", ["22", "3389", "5985", "5986", "5985-5986", "*"]), P.field(ranges, "in", ["22", "3389", "5985", "5986", "5985-5986"])),
    ),
  });
}
