import type { Remediation } from "../../../src/domain/finding";
import { ps, sh } from "../../../src/packs/helpers";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, azTarget, buildFixes, flag, psTarget, was } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const p = psTarget(ctx);
  void ps; void sh; void flag; void was; void p;

  return buildFixes(ctx, {
    packId: "eventhub-public-network-disabled",
    title: "Disable public network access",
    role: "Contributor",
    downtime: "planned: clients outside private endpoints or allowed networks are refused",
    az: {
      precheck: `az eventhubs namespace show ${t} --query "{publicNetworkAccess:publicNetworkAccess}"`,
      content: `az eventhubs namespace update ${t} --public-network-access Disabled`,
      rollback: `az eventhubs namespace update ${t} --public-network-access ${flag(String(was(ctx, "properties.publicNetworkAccess", "Enabled")))}`,
    },
    ps: {
      precheck: `Get-AzEventHubNamespace ${p} | Select-Object Name, PublicNetworkAccess`,
      content: `Set-AzEventHubNamespace ${p} -PublicNetworkAccess Disabled`,
      rollback: `Set-AzEventHubNamespace ${p} -PublicNetworkAccess ${String(was(ctx, "properties.publicNetworkAccess", "Enabled"))}`,
    },
    arm: { type: "Microsoft.EventHub/namespaces", apiVersion: "2024-01-01", keep: ["sku"], properties: { publicNetworkAccess: "Disabled" }, rollback: { publicNetworkAccess: was(ctx, "properties.publicNetworkAccess", "Enabled") } },
    tf: { type: "azurerm_eventhub_namespace", body: "public_network_access_enabled = false", rollback: "public_network_access_enabled = true" },
    policy: {
      displayName: "Event Hubs namespaces should disable public network access",
      description: "Audits or denies resources that do not meet this setting.",
      category: "Event Hubs",
      if: P.all(P.type("Microsoft.EventHub/namespaces"), P.field("Microsoft.EventHub/namespaces/publicNetworkAccess", "notEquals", "Disabled")),
      effects: ["Audit", "Deny", "Disabled"],
    },
  });
}
