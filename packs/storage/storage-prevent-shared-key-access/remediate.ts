import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { P } from "../../_lib/remediate";
import { storageSettingFixes } from "../../_lib/storage";

export function remediate(ctx: RemediationContext): Remediation[] {
  return storageSettingFixes(ctx, {
    packId: "storage-prevent-shared-key-access",
    title: "Turn off shared key authorization",
    downtime: "planned: callers using account keys or account SAS fail until moved to Entra ID",
    property: "allowSharedKeyAccess",
    azFlag: "--allow-shared-key-access",
    psParam: "-AllowSharedKeyAccess",
    tfArg: "shared_access_key_enabled",
    value: false,
    rollback: { fixed: true },
    unhealthy: (alias) => P.any(P.field(alias, "exists", false), P.field(alias, "equals", true)),
  });
}
