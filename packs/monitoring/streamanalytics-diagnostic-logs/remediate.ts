import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { diagnosticLogsFixes } from "../../_lib/diagnostic-logs";

export function remediate(ctx: RemediationContext): Remediation[] {
  return diagnosticLogsFixes(ctx, { packId: "streamanalytics-diagnostic-logs", type: "Microsoft.StreamAnalytics/streamingJobs", apiVersion: "2020-03-01" });
}
