import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { diagnosticLogsFixes } from "../../_lib/diagnostic-logs";

export function remediate(ctx: RemediationContext): Remediation[] {
  return diagnosticLogsFixes(ctx, { packId: "eventhub-diagnostic-logs", type: "Microsoft.EventHub/namespaces", apiVersion: "2024-01-01" });
}
