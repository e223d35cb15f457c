import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { siteConfigFixes } from "../../_lib/app-service";

export function remediate(ctx: RemediationContext): Remediation[] {
  return siteConfigFixes(ctx, { packId: "webapp-minimum-tls", app: "webapp", setting: "minTls", displayName: "Web Applications should require TLS 1.2" });
}
