import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { P } from "../../_lib/remediate";
import { storageSettingFixes } from "../../_lib/storage";

export function remediate(ctx: RemediationContext): Remediation[] {
  return storageSettingFixes(ctx, {
    packId: "storage-secure-transfer",
    title: "Require HTTPS for all requests",
    downtime: "none for HTTPS clients; HTTP clients are refused",
    property: "supportsHttpsTrafficOnly",
    azFlag: "--https-only",
    psParam: "-EnableHttpsTrafficOnly",
    tfArg: "https_traffic_only_enabled",
    value: true,
    rollback: { fallback: false },
    unhealthy: (alias) => P.field(alias, "equals", false),
  });
}
