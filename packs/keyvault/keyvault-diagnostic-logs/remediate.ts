import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { diagnosticLogsFixes } from "../../_lib/diagnostic-logs";

export function remediate(ctx: RemediationContext): Remediation[] {
  return diagnosticLogsFixes(ctx, { packId: "keyvault-diagnostic-logs", type: "Microsoft.KeyVault/vaults", apiVersion: "2023-07-01" });
}
