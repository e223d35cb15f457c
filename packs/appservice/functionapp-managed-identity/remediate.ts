import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { managedIdentityFixes } from "../../_lib/app-service";

export function remediate(ctx: RemediationContext): Remediation[] {
  return managedIdentityFixes(ctx, { packId: "functionapp-managed-identity", app: "functionapp", displayName: "Function Apps should use a managed identity" });
}
