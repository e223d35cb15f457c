import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { siteConfigFixes } from "../../_lib/app-service";

export function remediate(ctx: RemediationContext): Remediation[] {
  return siteConfigFixes(ctx, { packId: "functionapp-minimum-tls", app: "functionapp", setting: "minTls", displayName: "Function Apps should require TLS 1.2" });
}
