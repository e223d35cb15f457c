import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { managedIdentityFixes } from "../../_lib/app-service";

export function remediate(ctx: RemediationContext): Remediation[] {
  return managedIdentityFixes(ctx, { packId: "webapp-managed-identity", app: "webapp", displayName: "Web Applications should use a managed identity" });
}
