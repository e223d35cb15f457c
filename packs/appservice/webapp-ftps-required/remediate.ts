import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { siteConfigFixes } from "../../_lib/app-service";

export function remediate(ctx: RemediationContext): Remediation[] {
  return siteConfigFixes(ctx, { packId: "webapp-ftps-required", app: "webapp", setting: "ftps", displayName: "Web Applications should require FTPS only" });
}
