import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { mdeFixes } from "../../_lib/defender-endpoint";

export function remediate(ctx: RemediationContext): Remediation[] {
  return mdeFixes(ctx, {
    packId: "vm-edr-installed",
    title: "Install the Defender for Endpoint EDR sensor",
    downtime: "none (the agent installs online)",
    note: "Defender for Servers deploys this extension automatically when the plan is on.",
    displayName: "Virtual machines should have an EDR sensor",
    description: "Audits virtual machines without the Defender for Endpoint EDR extension.",
  });
}
