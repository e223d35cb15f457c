import type { Remediation } from "../../src/domain/finding";
import type { ArmResource } from "../../src/domain/resource";
import type { Evaluation, RemediationContext } from "../../src/packs/schema";
import { checkProps, eq, isTrue } from "./evaluate";
import { AUDIT_OR_DENY, azTarget, buildFixes, flag, P, psTarget, psWord, settingPolicy, was } from "./remediate";

/**
 * Event Hubs and Service Bus namespaces share their ARM shape and their recommendations (local authentication off,
 * public network access off); the services differ only in names, listed here once.
 */
export type NamespaceService = "eventhub" | "servicebus";
export type NamespaceSetting = "localAuth" | "publicNetwork";

const SERVICE: Record<
  NamespaceService,
  { az: string; psNoun: string; type: string; apiVersion: string; tf: string; label: string; localAuthTf: string }
> = {
  eventhub: {
    az: "eventhubs namespace",
    psNoun: "EventHubNamespace",
    type: "Microsoft.EventHub/namespaces",
    apiVersion: "2024-01-01",
    tf: "azurerm_eventhub_namespace",
    label: "Event Hubs",
    localAuthTf: "local_authentication_enabled",
  },
  servicebus: {
    az: "servicebus namespace",
    psNoun: "ServiceBusNamespace",
    type: "Microsoft.ServiceBus/namespaces",
    apiVersion: "2021-11-01",
    tf: "azurerm_servicebus_namespace",
    label: "Service Bus",
    localAuthTf: "local_auth_enabled",
  },
};

export function namespaceEvaluate(resource: ArmResource, service: NamespaceService, setting: NamespaceSetting): Evaluation {
  const check =
    setting === "localAuth"
      ? { path: "properties.disableLocalAuth", ok: isTrue, expect: "true" }
      : { path: "properties.publicNetworkAccess", ok: eq("Disabled"), expect: "Disabled" };
  return checkProps(resource, [SERVICE[service].type], [check]);
}

export function namespaceFixes(
  ctx: RemediationContext,
  s: { packId: string; service: NamespaceService; setting: NamespaceSetting },
): Remediation[] {
  const n = SERVICE[s.service];
  const t = azTarget(ctx);
  const p = psTarget(ctx);
  const common = { packId: s.packId, role: "Contributor" };
  if (s.setting === "localAuth") {
    return buildFixes(ctx, {
      ...common,
      title: "Disable local (SAS key) authentication",
      downtime: "brief for clients still using connection strings or SAS keys: they are refused until moved to Entra ID",
      az: {
        precheck: `az ${n.az} show ${t} --query "{disableLocalAuth:disableLocalAuth}"`,
        content: `az ${n.az} update ${t} --disable-local-auth true`,
        rollback: `az ${n.az} update ${t} --disable-local-auth false`,
      },
      ps: {
        precheck: `Get-Az${n.psNoun} ${p} | Select-Object Name, DisableLocalAuth`,
        content: `Set-Az${n.psNoun} ${p} -DisableLocalAuth $true`,
        rollback: `Set-Az${n.psNoun} ${p} -DisableLocalAuth $false`,
      },
      arm: {
        type: n.type,
        apiVersion: n.apiVersion,
        keep: ["sku"],
        properties: { disableLocalAuth: true },
        rollback: { disableLocalAuth: false },
      },
      tf: { type: n.tf, body: `${n.localAuthTf} = false`, rollback: `${n.localAuthTf} = true` },
      policy: settingPolicy(
        n.type,
        `${n.label} namespaces should have local authentication disabled`,
        n.label,
        (a) => [P.field(a("disableLocalAuth"), "notEquals", true)],
        {
          description: AUDIT_OR_DENY,
        },
      ),
    });
  }
  const prev = was(ctx, "properties.publicNetworkAccess", "Enabled");
  return buildFixes(ctx, {
    ...common,
    title: "Disable public network access",
    downtime: "planned: clients outside private endpoints or allowed networks are refused",
    az: {
      precheck: `az ${n.az} show ${t} --query "{publicNetworkAccess:publicNetworkAccess}"`,
      content: `az ${n.az} update ${t} --public-network-access Disabled`,
      rollback: `az ${n.az} update ${t} --public-network-access ${flag(String(prev))}`,
    },
    ps: {
      precheck: `Get-Az${n.psNoun} ${p} | Select-Object Name, PublicNetworkAccess`,
      content: `Set-Az${n.psNoun} ${p} -PublicNetworkAccess Disabled`,
      rollback: `Set-Az${n.psNoun} ${p} -PublicNetworkAccess ${psWord(String(prev))}`,
    },
    arm: {
      type: n.type,
      apiVersion: n.apiVersion,
      keep: ["sku"],
      properties: { publicNetworkAccess: "Disabled" },
      rollback: { publicNetworkAccess: prev },
    },
    tf: { type: n.tf, body: "public_network_access_enabled = false", rollback: "public_network_access_enabled = true" },
    policy: settingPolicy(
      n.type,
      `${n.label} namespaces should disable public network access`,
      n.label,
      (a) => [P.field(a("publicNetworkAccess"), "notEquals", "Disabled")],
      {
        description: AUDIT_OR_DENY,
      },
    ),
  });
}
