import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { diagnosticLogsFixes } from "../../_lib/diagnostic-logs";

export function remediate(ctx: RemediationContext): Remediation[] {
  return diagnosticLogsFixes(ctx, { packId: "batch-diagnostic-logs", type: "Microsoft.Batch/batchAccounts", apiVersion: "2024-02-01" });
}
