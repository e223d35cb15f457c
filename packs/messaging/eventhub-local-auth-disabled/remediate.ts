import type { Remediation } from "../../../src/domain/finding";
import { ps, sh } from "../../../src/packs/helpers";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, azTarget, buildFixes, flag, psTarget, was } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const p = psTarget(ctx);
  void ps; void sh; void flag; void was; void p;

  return buildFixes(ctx, {
    packId: "eventhub-local-auth-disabled",
    title: "Disable local (SAS key) authentication",
    role: "Contributor",
    downtime: "brief for clients still using connection strings or SAS keys: they are refused until moved to Entra ID",
    az: {
      precheck: `az eventhubs namespace show ${t} --query "{disableLocalAuth:disableLocalAuth}"`,
      content: `az eventhubs namespace update ${t} --disable-local-auth true`,
      rollback: `az eventhubs namespace update ${t} --disable-local-auth false`,
    },
    ps: {
      precheck: `Get-AzEventHubNamespace ${p} | Select-Object Name, DisableLocalAuth`,
      content: `Set-AzEventHubNamespace ${p} -DisableLocalAuth $true`,
      rollback: `Set-AzEventHubNamespace ${p} -DisableLocalAuth $false`,
    },
    arm: { type: "Microsoft.EventHub/namespaces", apiVersion: "2024-01-01", keep: ["sku"], properties: { disableLocalAuth: true }, rollback: { disableLocalAuth: false } },
    tf: { type: "azurerm_eventhub_namespace", body: "local_authentication_enabled = false", rollback: "local_authentication_enabled = true" },
    policy: {
      displayName: "Event Hubs namespaces should have local authentication disabled",
      description: "Audits or denies resources that do not meet this setting.",
      category: "Event Hubs",
      if: P.all(P.type("Microsoft.EventHub/namespaces"), P.field("Microsoft.EventHub/namespaces/disableLocalAuth", "notEquals", true)),
      effects: ["Audit", "Deny", "Disabled"],
    },
  });
}
