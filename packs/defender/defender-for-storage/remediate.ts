import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { defenderPlanFixes } from "../../_lib/defender-plan";

export function remediate(ctx: RemediationContext): Remediation[] {
  return defenderPlanFixes(ctx, { packId: "defender-for-storage", plan: "StorageAccounts" });
}
