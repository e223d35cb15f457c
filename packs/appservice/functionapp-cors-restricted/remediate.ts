import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { corsFixes } from "../../_lib/app-service";

/** Removes the "*" origin, keeping any named origins; rollback adds "*" back. */
export function remediate(ctx: RemediationContext): Remediation[] {
  return corsFixes(ctx, { packId: "functionapp-cors-restricted", app: "functionapp" });
}
