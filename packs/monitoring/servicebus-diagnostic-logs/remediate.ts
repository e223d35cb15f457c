import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { diagnosticLogsFixes } from "../../_lib/diagnostic-logs";

export function remediate(ctx: RemediationContext): Remediation[] {
  return diagnosticLogsFixes(ctx, { packId: "servicebus-diagnostic-logs", type: "Microsoft.ServiceBus/namespaces", apiVersion: "2021-11-01" });
}
