import type { Remediation } from "../../../src/domain/finding";
import { ps, sh } from "../../../src/packs/helpers";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, azTarget, buildFixes, flag, psTarget, was } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const p = psTarget(ctx);
  void ps; void sh; void flag; void was; void p;

  return buildFixes(ctx, {
    packId: "servicebus-public-network-disabled",
    title: "Disable public network access",
    role: "Contributor",
    downtime: "planned: clients outside private endpoints or allowed networks are refused",
    az: {
      precheck: `az servicebus namespace show ${t} --query "{publicNetworkAccess:publicNetworkAccess}"`,
      content: `az servicebus namespace update ${t} --public-network-access Disabled`,
      rollback: `az servicebus namespace update ${t} --public-network-access ${flag(String(was(ctx, "properties.publicNetworkAccess", "Enabled")))}`,
    },
    ps: {
      precheck: `Get-AzServiceBusNamespace ${p} | Select-Object Name, PublicNetworkAccess`,
      content: `Set-AzServiceBusNamespace ${p} -PublicNetworkAccess Disabled`,
      rollback: `Set-AzServiceBusNamespace ${p} -PublicNetworkAccess ${String(was(ctx, "properties.publicNetworkAccess", "Enabled"))}`,
    },
    arm: { type: "Microsoft.ServiceBus/namespaces", apiVersion: "2021-11-01", keep: ["sku"], properties: { publicNetworkAccess: "Disabled" }, rollback: { publicNetworkAccess: was(ctx, "properties.publicNetworkAccess", "Enabled") } },
    tf: { type: "azurerm_servicebus_namespace", body: "public_network_access_enabled = false", rollback: "public_network_access_enabled = true" },
    policy: {
      displayName: "Service Bus namespaces should disable public network access",
      description: "Audits or denies resources that do not meet this setting.",
      category: "Service Bus",
      if: P.all(P.type("Microsoft.ServiceBus/namespaces"), P.field("Microsoft.ServiceBus/namespaces/publicNetworkAccess", "notEquals", "Disabled")),
      effects: ["Audit", "Deny", "Disabled"],
    },
  });
}
