import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { osType } from "../../_lib/evaluate";
import { extensionFixes, extensionPolicy } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const windows = osType(ctx.resource) === "windows";
  return extensionFixes(ctx, {
    packId: "vm-guest-configuration-extension",
    title: "Install the Guest Configuration extension",
    downtime: "none",
    note: "The extension needs a system-assigned managed identity: az vm identity assign first if the VM has none.",
    ext: windows ? { name: "AzurePolicyforWindows", publisher: "Microsoft.GuestConfiguration", type: "ConfigurationforWindows", version: "1.0" } : { name: "AzurePolicyforLinux", publisher: "Microsoft.GuestConfiguration", type: "ConfigurationForLinux", version: "1.0" },
    policy: extensionPolicy("Virtual machines should have the Guest Configuration extension", "Audits virtual machines without the Guest Configuration extension.", undefined, "Microsoft.GuestConfiguration", ["ConfigurationforWindows", "ConfigurationForLinux"]),
  });
}
