import type { Remediation } from "../../../src/domain/finding";
import { ps, sh } from "../../../src/packs/helpers";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, azTarget, buildFixes, flag, psTarget, was } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const p = psTarget(ctx);
  void ps; void sh; void flag; void was; void p;

  return buildFixes(ctx, {
    packId: "servicebus-local-auth-disabled",
    title: "Disable local (SAS key) authentication",
    role: "Contributor",
    downtime: "brief for clients still using connection strings or SAS keys: they are refused until moved to Entra ID",
    az: {
      precheck: `az servicebus namespace show ${t} --query "{disableLocalAuth:disableLocalAuth}"`,
      content: `az servicebus namespace update ${t} --disable-local-auth true`,
      rollback: `az servicebus namespace update ${t} --disable-local-auth false`,
    },
    ps: {
      precheck: `Get-AzServiceBusNamespace ${p} | Select-Object Name, DisableLocalAuth`,
      content: `Set-AzServiceBusNamespace ${p} -DisableLocalAuth $true`,
      rollback: `Set-AzServiceBusNamespace ${p} -DisableLocalAuth $false`,
    },
    arm: { type: "Microsoft.ServiceBus/namespaces", apiVersion: "2021-11-01", keep: ["sku"], properties: { disableLocalAuth: true }, rollback: { disableLocalAuth: false } },
    tf: { type: "azurerm_servicebus_namespace", body: "local_auth_enabled = false", rollback: "local_auth_enabled = true" },
    policy: {
      displayName: "Service Bus namespaces should have local authentication disabled",
      description: "Audits or denies resources that do not meet this setting.",
      category: "Service Bus",
      if: P.all(P.type("Microsoft.ServiceBus/namespaces"), P.field("Microsoft.ServiceBus/namespaces/disableLocalAuth", "notEquals", true)),
      effects: ["Audit", "Deny", "Disabled"],
    },
  });
}
