/**
 * The unit of change analysis. Azure logs one operation as several events (`Started`, then `Succeeded` or
 * `Failed`) sharing a correlation id; reads are not logged. A `Change` is one operation on one resource:
 * the events of the same correlation id, operation and resource folded together.
 */
import type { ActivityEvent } from "../domain/records";
import type { ArmResource } from "../domain/resource";

export type Verb = "write" | "delete" | "action";

export interface Change {
  /** correlationId|operation|resource, lower-cased. */
  key: string;
  correlationId: string;
  eventIds: string[];
  caller: string;
  /** Lower-cased caller, the baseline key. */
  callerKey: string;
  operation: string;
  /** Lower-cased operation. */
  op: string;
  verb: Verb;
  resourceId: string;
  resourceKey: string;
  /** Lower-cased id of the top-level resource the change touches (an NSG for one of its rules). */
  topResourceKey: string;
  /** Lower-cased resource type derived from the operation. */
  resourceType: string;
  /** Start of the operation, epoch ms. */
  time: number;
  status: string;
  succeeded: boolean;
  callerIpAddress?: string;
  clientAppId?: string;
  subscriptionId: string;
  resourceGroup: string;
  properties: Record<string, unknown>;
}

const STATUS_RANK: Record<string, number> = { started: 0, start: 0, accepted: 1, accept: 1, succeeded: 3, success: 3, failed: 3, failure: 3, canceled: 3, cancelled: 3 };
/** REST says Succeeded, the AzureActivity table says Success. */
const isSuccess = (status: string) => /^succe(eded|ss)$/i.test(status);

export function verbOf(op: string): Verb | undefined {
  const o = op.toLowerCase();
  if (o.endsWith("/write")) return "write";
  if (o.endsWith("/delete")) return "delete";
  if (o.endsWith("/action")) return "action";
  return undefined;
}

/** `Microsoft.Network/networkSecurityGroups/securityRules/write` → `microsoft.network/networksecuritygroups/securityrules`. */
export function typeOfOperation(op: string): string {
  const parts = op.toLowerCase().split("/");
  const verb = parts[parts.length - 1];
  return parts.slice(0, verb === "action" ? -2 : -1).join("/");
}

/** Lower-cased id of the first resource under `providers/` (extension resources fold into their parent). */
export function topResourceKey(resourceId: string): string {
  const lower = resourceId.toLowerCase().replace(/\/+$/, "");
  const i = lower.indexOf("/providers/");
  if (i < 0) return lower;
  const rest = lower.slice(i + "/providers/".length).split("/");
  // namespace / type / name
  if (rest.length < 3) return lower;
  return `${lower.slice(0, i)}/providers/${rest.slice(0, 3).join("/")}`;
}

export function principalKind(caller: string): "user" | "service" {
  return caller.includes("@") ? "user" : "service";
}

/** Categories written by people and pipelines (Policy, Security, ServiceHealth... are system-written). */
const CHANGE_CATEGORIES = new Set(["administrative", ""]);

/**
 * Folds events into changes (one per correlation id, operation and resource), oldest first.
 * Reads and non-administrative categories are ignored.
 */
export function toChanges(events: ActivityEvent[]): Change[] {
  const byKey = new Map<string, Change>();
  const rank = new Map<string, number>();
  for (const e of events) {
    const verb = verbOf(e.operationName);
    if (!verb) continue;
    if (!CHANGE_CATEGORIES.has((e.category ?? "").toLowerCase())) continue;
    const t = Date.parse(e.time);
    if (!Number.isFinite(t)) continue;
    const op = e.operationName.toLowerCase();
    const resourceKey = e.resourceId.toLowerCase();
    const key = `${e.correlationId.toLowerCase()}|${op}|${resourceKey}`;
    const r = STATUS_RANK[e.status.toLowerCase()] ?? 2;
    const c = byKey.get(key);
    if (!c) {
      byKey.set(key, {
        key,
        correlationId: e.correlationId,
        eventIds: [e.eventId],
        caller: e.caller,
        callerKey: e.caller.toLowerCase(),
        operation: e.operationName,
        op,
        verb,
        resourceId: e.resourceId,
        resourceKey,
        topResourceKey: topResourceKey(e.resourceId),
        resourceType: typeOfOperation(op),
        time: t,
        status: e.status,
        succeeded: isSuccess(e.status),
        callerIpAddress: e.callerIpAddress,
        clientAppId: e.clientAppId,
        subscriptionId: (e.subscriptionId ?? "").toLowerCase(),
        resourceGroup: (e.resourceGroup ?? "").toLowerCase(),
        properties: { ...(e.properties ?? {}) },
      });
      rank.set(key, r);
      continue;
    }
    c.eventIds.push(e.eventId);
    if (t < c.time) c.time = t;
    c.callerIpAddress ??= e.callerIpAddress;
    c.clientAppId ??= e.clientAppId;
    Object.assign(c.properties, e.properties ?? {});
    if (r >= (rank.get(key) ?? 0)) {
      rank.set(key, r);
      c.status = e.status;
      c.succeeded = isSuccess(e.status);
    }
  }
  return [...byKey.values()].sort((a, b) => a.time - b.time || a.key.localeCompare(b.key));
}

export type Environment = "production" | "staging" | "development" | "test" | "shared" | "unknown";

const ENV_WORDS: [RegExp, Environment][] = [
  [/(^|[^a-z])(prod|prd|production|live)([^a-z]|$)/, "production"],
  [/(^|[^a-z])(stg|stage|staging|uat|preprod)([^a-z]|$)/, "staging"],
  [/(^|[^a-z])(dev|develop|development|sandbox)([^a-z]|$)/, "development"],
  [/(^|[^a-z])(test|tst|qa)([^a-z]|$)/, "test"],
  [/(^|[^a-z])(shared|hub|core|platform|mgmt)([^a-z]|$)/, "shared"],
];

const ENV_TAG_VALUES: Record<string, Environment> = {
  prod: "production",
  prd: "production",
  production: "production",
  staging: "staging",
  stage: "staging",
  stg: "staging",
  uat: "staging",
  dev: "development",
  development: "development",
  test: "test",
  qa: "test",
  shared: "shared",
};

/** Index of resources by lower-cased id, for environment tags. */
export function indexResources(resources?: ArmResource[]): Map<string, ArmResource> {
  const m = new Map<string, ArmResource>();
  for (const r of resources ?? []) m.set(r.id.toLowerCase(), r);
  return m;
}

/** Environment of a resource: its `environment`/`env` tag when known, otherwise words in its group and name. */
export function environmentOf(resourceKey: string, resources?: Map<string, ArmResource>): Environment {
  const r = resources?.get(topResourceKey(resourceKey));
  if (r?.tags) {
    for (const [k, v] of Object.entries(r.tags)) {
      if (!v || !/^(env|environment|stage)$/i.test(k)) continue;
      const env = ENV_TAG_VALUES[v.toLowerCase()];
      if (env) return env;
    }
  }
  const lower = resourceKey.toLowerCase();
  const rg = /\/resourcegroups\/([^/]+)/.exec(lower)?.[1] ?? "";
  const name = topResourceKey(lower).split("/").pop() ?? "";
  for (const [re, env] of ENV_WORDS) if (re.test(rg) || re.test(name)) return env;
  return "unknown";
}

/** Operations whose effect is security-relevant, with why. */
const SENSITIVE: [RegExp, string][] = [
  [/^microsoft\.network\/networksecuritygroups\/(securityrules\/)?(write|delete)$/, "changes network exposure (NSG rules)"],
  [/^microsoft\.network\/(azurefirewalls|firewallpolicies)\//, "changes firewall rules"],
  [/^microsoft\.network\/publicipaddresses\/write$/, "creates or changes a public IP address"],
  [/^microsoft\.authorization\/roleassignments\/(write|delete)$/, "grants or removes access (role assignment)"],
  [/^microsoft\.authorization\/roledefinitions\/write$/, "changes a role definition"],
  [/^microsoft\.authorization\/(policyassignments|policyexemptions)\/(write|delete)$/, "changes policy enforcement"],
  [/^microsoft\.keyvault\/vaults\/(accesspolicies\/write|write|delete)$/, "changes Key Vault access"],
  [/^microsoft\.storage\/storageaccounts\/(listkeys|regeneratekey)\/action$/, "reads or rotates storage account keys"],
  [/^microsoft\.sql\/servers\/firewallrules\/write$/, "opens a SQL server firewall rule"],
  [/^microsoft\.insights\/diagnosticsettings\/delete$/, "removes diagnostic logging"],
  [/^microsoft\.security\//, "changes Defender for Cloud settings"],
];

export function sensitivityOf(op: string): string | undefined {
  const o = op.toLowerCase();
  for (const [re, why] of SENSITIVE) if (re.test(o)) return why;
  return undefined;
}

/** Readable name for tables: the top resource's name, plus the child's last segment (`nsg-web/allow-rdp`). */
export function displayName(resourceId: string): string {
  const parts = resourceId.split("/").filter(Boolean);
  const lower = resourceId.toLowerCase();
  const rg = /\/resourcegroups\/([^/]+)/i.exec(resourceId)?.[1];
  if (/\/providers\/microsoft\.authorization\/(roleassignments|policyassignments|policyexemptions)\//.test(lower)) {
    const kind = parts[parts.length - 2];
    const scopeName = lower.indexOf("/providers/") < lower.lastIndexOf("/providers/") ? shortName(resourceId.slice(0, lower.lastIndexOf("/providers/"))) : rg ?? "subscription";
    return `${scopeName}/${kind}/${parts[parts.length - 1].slice(0, 8)}`;
  }
  const topLen = topResourceKey(resourceId).length;
  const top = shortName(resourceId.slice(0, topLen));
  return lower.length > topLen ? `${top}/${parts[parts.length - 1]}` : top;
}

/** Short resource name for messages. */
export function shortName(resourceId: string): string {
  return resourceId.split("/").filter(Boolean).pop() ?? resourceId;
}

/** IPv4 /24 or IPv6 /48 prefix: "the same network" for baseline purposes. */
export function ipPrefix(ip: string | undefined): string | undefined {
  if (!ip) return undefined;
  if (ip.includes(".")) return ip.split(".").slice(0, 3).join(".");
  if (ip.includes(":")) return ip.toLowerCase().split(":").slice(0, 3).join(":");
  return ip;
}
