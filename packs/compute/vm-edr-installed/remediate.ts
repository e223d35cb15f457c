import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { osType } from "../../_lib/evaluate";
import { extensionFixes, extensionPolicy } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const windows = osType(ctx.resource) === "windows";
  return extensionFixes(ctx, {
    packId: "vm-edr-installed",
    title: "Install the Defender for Endpoint EDR sensor",
    downtime: "none (the agent installs online)",
    note: "Defender for Servers deploys this extension automatically when the plan is on.",
    ext: windows ? { name: "MDE.Windows", publisher: "Microsoft.Azure.AzureDefenderForServers", type: "MDE.Windows", version: "1.0" } : { name: "MDE.Linux", publisher: "Microsoft.Azure.AzureDefenderForServers", type: "MDE.Linux", version: "1.0" },
    policy: extensionPolicy("Virtual machines should have an EDR sensor", "Audits virtual machines without the Defender for Endpoint EDR extension.", undefined, "Microsoft.Azure.AzureDefenderForServers", ["MDE.Windows", "MDE.Linux"]),
  });
}
