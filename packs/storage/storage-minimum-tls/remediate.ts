import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { P } from "../../_lib/remediate";
import { storageSettingFixes } from "../../_lib/storage";

export function remediate(ctx: RemediationContext): Remediation[] {
  return storageSettingFixes(ctx, {
    packId: "storage-minimum-tls",
    title: "Require TLS 1.2 or newer",
    downtime: "none for current clients; TLS 1.0/1.1 clients are refused",
    property: "minimumTlsVersion",
    azFlag: "--min-tls-version",
    psParam: "-MinimumTlsVersion",
    tfArg: "min_tls_version",
    value: "TLS1_2",
    rollback: { fallback: "TLS1_0" },
    unhealthy: (alias) => P.field(alias, "notEquals", "TLS1_2"),
  });
}
