import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { siteConfigFixes } from "../../_lib/app-service";

export function remediate(ctx: RemediationContext): Remediation[] {
  return siteConfigFixes(ctx, { packId: "functionapp-remote-debugging-off", app: "functionapp", setting: "remoteDebugging", displayName: "Function Apps should have remote debugging turned off" });
}
