import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { diagnosticLogsFixes } from "../../_lib/diagnostic-logs";

export function remediate(ctx: RemediationContext): Remediation[] {
  return diagnosticLogsFixes(ctx, { packId: "logicapp-diagnostic-logs", type: "Microsoft.Logic/workflows", apiVersion: "2019-05-01" });
}
