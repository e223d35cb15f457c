import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { mdeFixes } from "../../_lib/defender-endpoint";

export function remediate(ctx: RemediationContext): Remediation[] {
  return mdeFixes(ctx, {
    packId: "vm-endpoint-protection",
    title: "Install Microsoft Defender for Endpoint on the VM",
    downtime: "none (the agent installs online)",
    note: "Defender for Servers deploys this extension automatically when the plan is on; installing it by hand needs the plan too.",
    displayName: "Virtual machines should have Defender for Endpoint installed",
    description: "Audits virtual machines without the Defender for Endpoint extension.",
  });
}
