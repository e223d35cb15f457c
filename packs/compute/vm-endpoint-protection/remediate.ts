import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { osType } from "../../_lib/evaluate";
import { extensionFixes, extensionPolicy } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const windows = osType(ctx.resource) === "windows";
  return extensionFixes(ctx, {
    packId: "vm-endpoint-protection",
    title: "Install Microsoft Defender for Endpoint on the VM",
    downtime: "none (the agent installs online)",
    note: "Defender for Servers deploys this extension automatically when the plan is on; installing it by hand needs the plan too.",
    ext: windows ? { name: "MDE.Windows", publisher: "Microsoft.Azure.AzureDefenderForServers", type: "MDE.Windows", version: "1.0" } : { name: "MDE.Linux", publisher: "Microsoft.Azure.AzureDefenderForServers", type: "MDE.Linux", version: "1.0" },
    policy: extensionPolicy("Virtual machines should have Defender for Endpoint installed", "Audits virtual machines without the Defender for Endpoint extension.", undefined, "Microsoft.Azure.AzureDefenderForServers", ["MDE.Windows", "MDE.Linux"]),
  });
}
