import type { Remediation } from "../../src/domain/finding";
import { sh } from "../../src/packs/helpers";
import type { RemediationContext } from "../../src/packs/schema";
import { azTarget, buildFixes, psTarget, psWord, settingPolicy, was } from "./remediate";

/** Storage account setting packs: one top-level property of the account, set through az, Az PowerShell, ARM/Bicep and azurerm. */
export interface StorageSettingSpec {
  packId: string;
  /** Also the policy draft's display name. */
  title: string;
  downtime: string;
  /** ARM property (also what az `--query` shows), az flag, PowerShell parameter and azurerm argument. */
  property: string;
  azFlag: string;
  psParam: string;
  tfArg: string;
  value: string | boolean;
  /** The value rollback restores: a fixed one, or the account's current one with a fallback when the row lacks it. */
  rollback: { fixed: string | boolean } | { fallback: string | boolean };
  /** Policy condition (on the property's alias) that matches unhealthy accounts. */
  unhealthy: (alias: string) => Record<string, unknown>;
}

const TYPE = "Microsoft.Storage/storageAccounts";

export function storageSettingFixes(ctx: RemediationContext, s: StorageSettingSpec): Remediation[] {
  const t = azTarget(ctx);
  const p = psTarget(ctx);
  const prev = "fixed" in s.rollback ? s.rollback.fixed : was<string | boolean>(ctx, `properties.${s.property}`, s.rollback.fallback);
  // Previous values come from the inventory row, so each language quotes them (a no-op for Azure's own values).
  const asAz = (v: unknown) => sh(String(v));
  const asPs = (v: unknown) => (typeof v === "boolean" ? `$${v}` : psWord(String(v)));
  const asTf = (v: unknown) => (typeof v === "boolean" ? String(v) : JSON.stringify(String(v)));
  return buildFixes(ctx, {
    packId: s.packId,
    title: s.title,
    role: "Storage Account Contributor",
    downtime: s.downtime,
    az: {
      precheck: `az storage account show ${t} --query "${s.property}"`,
      content: `az storage account update ${t} ${s.azFlag} ${asAz(s.value)}`,
      rollback: `az storage account update ${t} ${s.azFlag} ${asAz(prev)}`,
    },
    ps: {
      precheck: `Get-AzStorageAccount ${p} | Select-Object StorageAccountName, EnableHttpsTrafficOnly, MinimumTlsVersion, AllowBlobPublicAccess, AllowSharedKeyAccess`,
      content: `Set-AzStorageAccount ${p} ${s.psParam} ${asPs(s.value)}`,
      rollback: `Set-AzStorageAccount ${p} ${s.psParam} ${asPs(prev)}`,
    },
    arm: {
      type: TYPE,
      apiVersion: "2023-05-01",
      keep: ["sku", "kind"],
      properties: { [s.property]: s.value },
      rollback: { [s.property]: prev },
    },
    tf: { type: "azurerm_storage_account", body: `${s.tfArg} = ${asTf(s.value)}`, rollback: `${s.tfArg} = ${asTf(prev)}` },
    policy: settingPolicy(TYPE, s.title, "Storage", (a) => [s.unhealthy(a(s.property))], {
      description: "Audits or denies storage accounts that do not meet this setting.",
    }),
  });
}
