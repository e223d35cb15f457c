import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { siteConfigFixes } from "../../_lib/app-service";

export function remediate(ctx: RemediationContext): Remediation[] {
  return siteConfigFixes(ctx, { packId: "functionapp-ftps-required", app: "functionapp", setting: "ftps", displayName: "Function Apps should require FTPS only" });
}
