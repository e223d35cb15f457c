import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, denyInboundFixes, internetRulePolicy } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  return denyInboundFixes(ctx, {
    packId: "network-all-ports-restricted",
    title: "Deny every port but 80/443 from the Internet",
    ruleName: "Clarion-Deny-NonWeb-Internet",
    ports: ["0-79", "81-442", "444-65535"],
    downtime: "brief for anything that relied on a non-web port from the Internet; web traffic on 80/443 is unaffected",
    policy: internetRulePolicy("NSG rules should not allow all ports from the Internet", "Audits or denies inbound Allow rules from any source or the Internet to every port.", (range, ranges) =>
      P.any(P.field(range, "equals", "*"), P.field(ranges, "equals", "*")),
    ),
  });
}
