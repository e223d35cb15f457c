import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { P } from "../../_lib/remediate";
import { storageSettingFixes } from "../../_lib/storage";

export function remediate(ctx: RemediationContext): Remediation[] {
  return storageSettingFixes(ctx, {
    packId: "storage-disallow-public-blob-access",
    title: "Disallow anonymous blob access",
    downtime: "none unless something reads blobs anonymously",
    property: "allowBlobPublicAccess",
    azFlag: "--allow-blob-public-access",
    psParam: "-AllowBlobPublicAccess",
    tfArg: "allow_nested_items_to_be_public",
    value: false,
    rollback: { fixed: true },
    unhealthy: (alias) => P.any(P.field(alias, "exists", false), P.field(alias, "equals", true)),
  });
}
