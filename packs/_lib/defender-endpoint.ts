import type { Remediation } from "../../src/domain/finding";
import type { RemediationContext } from "../../src/packs/schema";
import { osType } from "./evaluate";
import { extensionFixes, extensionPolicy } from "./remediate";

/** The Defender for Endpoint VM extension (EDR, antivirus and Defender Vulnerability Management ride on it). */
export const MDE_EXTENSION = { publisher: "Microsoft.Azure.AzureDefenderForServers", types: ["MDE.Windows", "MDE.Linux"] };

export interface MdeSpec {
  packId: string;
  title: string;
  downtime: string;
  note: string;
  /** The audit policy draft's display name and description (each pack's own wording). */
  displayName: string;
  description: string;
}

/** Drafts installing the Defender for Endpoint extension for the VM's OS. */
export function mdeFixes(ctx: RemediationContext, s: MdeSpec): Remediation[] {
  const type = osType(ctx.resource) === "windows" ? "MDE.Windows" : "MDE.Linux";
  return extensionFixes(ctx, {
    packId: s.packId,
    title: s.title,
    downtime: s.downtime,
    note: s.note,
    ext: { name: type, publisher: MDE_EXTENSION.publisher, type, version: "1.0" },
    policy: extensionPolicy(s.displayName, s.description, undefined, MDE_EXTENSION.publisher, MDE_EXTENSION.types),
  });
}
