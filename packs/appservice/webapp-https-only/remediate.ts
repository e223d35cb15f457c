import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { httpsOnlyFixes } from "../../_lib/app-service";

export function remediate(ctx: RemediationContext): Remediation[] {
  return httpsOnlyFixes(ctx, { packId: "webapp-https-only", app: "webapp", displayName: "Web Application should only be accessible over HTTPS" });
}
