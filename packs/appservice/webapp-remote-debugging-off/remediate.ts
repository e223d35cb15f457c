import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { siteConfigFixes } from "../../_lib/app-service";

export function remediate(ctx: RemediationContext): Remediation[] {
  return siteConfigFixes(ctx, { packId: "webapp-remote-debugging-off", app: "webapp", setting: "remoteDebugging", displayName: "Web Applications should have remote debugging turned off" });
}
