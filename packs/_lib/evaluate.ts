import type { ArmResource } from "../../src/domain/resource";
import { compliant, isType, noncompliant, notApplicable, prop } from "../../src/packs/helpers";
import type { Evaluation, EvaluationContext } from "../../src/packs/schema";

/**
 * Shared building blocks for pack `evaluate()` functions. Every helper reads real ARM/ARG property names;
 * each returns an Evaluation whose reason names the property that decided.
 */

export type Missing = "fail" | "pass" | "unknown";
export interface Check {
  /** Dotted property path, e.g. `properties.minimumTlsVersion`. */
  path: string;
  /** True when the value is healthy. Receives `undefined` only when `missing` is not set. */
  ok: (value: unknown) => boolean;
  /** Plain words for the healthy value, used in the reason ("TLS1_2 or newer"). */
  expect: string;
  /** What an absent property means: fail (default), pass (Azure's default is healthy) or unknown (not collected). */
  missing?: Missing;
}

export function fmt(v: unknown): string {
  if (v === undefined) return "absent";
  if (v === null) return "null";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** Checks a list of properties on one resource type; the first failing check decides. */
export function checkProps(resource: ArmResource, types: string[], checks: Check[], applies?: (r: ArmResource) => string | undefined): Evaluation {
  if (!isType(resource, ...types)) return notApplicable(`not a ${types.join(" or ")}`);
  const skip = applies?.(resource);
  if (skip) return notApplicable(skip);
  const evidence: { path: string; value: unknown }[] = [];
  for (const c of checks) {
    const v = prop(resource, c.path);
    evidence.push({ path: c.path, value: v ?? null });
    if (v === undefined || v === null) {
      const m = c.missing ?? "fail";
      if (m === "unknown") return notApplicable(`${c.path} is not present in the inventory row, so this cannot be decided here`);
      if (m === "pass") continue;
      return { result: "noncompliant", reason: `${c.path} is ${fmt(v)}; expected ${c.expect}`, evidence };
    }
    if (!c.ok(v)) return { result: "noncompliant", reason: `${c.path} is ${fmt(v)}; expected ${c.expect}`, evidence };
  }
  return { result: "compliant", reason: checks.map((c) => `${c.path} is ${fmt(prop(resource, c.path))}`).join("; "), evidence };
}

/** Case-insensitive equality for strings, strict for everything else. */
export const eq =
  (...wanted: unknown[]) =>
  (v: unknown): boolean =>
    wanted.some((w) => (typeof w === "string" && typeof v === "string" ? w.toLowerCase() === v.toLowerCase() : w === v));
export const isTrue = (v: unknown): boolean => v === true || (typeof v === "string" && v.toLowerCase() === "true");
export const isFalse = (v: unknown): boolean => v === false || (typeof v === "string" && v.toLowerCase() === "false");
export const nonEmpty = (v: unknown): boolean => (Array.isArray(v) ? v.length > 0 : typeof v === "string" ? v.trim().length > 0 : v !== null && v !== undefined);

/** Compares TLS version strings in any of Azure's spellings: "1.2", "TLS1_2", "Tls12", "TLS 1.2". */
export function tlsVersion(v: unknown): number | undefined {
  if (typeof v !== "string") return undefined;
  const m = /(\d)[._]?(\d)/.exec(v);
  return m ? Number(`${m[1]}.${m[2]}`) : undefined;
}
export const tlsAtLeast =
  (min: number) =>
  (v: unknown): boolean => {
    const n = tlsVersion(v);
    return n !== undefined && n >= min;
  };

export function lastSegment(id: unknown): string {
  return typeof id === "string" ? (id.split("/").pop() ?? "").toLowerCase() : "";
}

export function sameId(a: unknown, b: unknown): boolean {
  return typeof a === "string" && typeof b === "string" && a.toLowerCase() === b.toLowerCase();
}

/** The subscription id of a resource, from its field or its id. */
export function subscriptionOf(resource: ArmResource): string {
  if (resource.subscriptionId) return resource.subscriptionId.toLowerCase();
  const m = /\/subscriptions\/([^/]+)/i.exec(resource.id);
  return m ? m[1].toLowerCase() : "";
}

// ---------------------------------------------------------------------------------------------------------------
// Diagnostic settings (microsoft.insights/diagnosticsettings children of the resource)

const DIAG = "microsoft.insights/diagnosticsettings";

export function diagnosticSettings(resource: ArmResource, ctx: EvaluationContext): ArmResource[] {
  const prefix = `${resource.id.toLowerCase()}/providers/microsoft.insights/diagnosticsettings/`;
  const seen = new Map<string, ArmResource>();
  for (const r of [...ctx.children(), ...ctx.related(DIAG)]) {
    if (r.id.toLowerCase().startsWith(prefix)) seen.set(r.id.toLowerCase(), r);
  }
  return [...seen.values()];
}

/** Healthy when at least one diagnostic setting sends enabled logs to a destination. */
export function diagnosticLogs(resource: ArmResource, ctx: EvaluationContext, types: string[], applies?: (r: ArmResource) => string | undefined): Evaluation {
  if (!isType(resource, ...types)) return notApplicable(`not a ${types.join(" or ")}`);
  const skip = applies?.(resource);
  if (skip) return notApplicable(skip);
  const settings = diagnosticSettings(resource, ctx);
  if (settings.length === 0) return noncompliant("no diagnostic setting exists, so no resource logs are kept", "diagnosticSettings", []);
  for (const s of settings) {
    const logs = prop(s, "properties.logs");
    const enabled = Array.isArray(logs) && logs.some((l) => l && typeof l === "object" && isTrue((l as Record<string, unknown>).enabled));
    const dest = ["workspaceId", "storageAccountId", "eventHubAuthorizationRuleId", "marketplacePartnerId"].some((k) => nonEmpty(prop(s, `properties.${k}`)));
    if (enabled && dest) return compliant(`diagnostic setting '${s.name}' sends enabled log categories to a destination`, `diagnosticSettings/${s.name}.properties.logs`, logs);
  }
  return noncompliant(`${settings.length} diagnostic setting(s) exist but none sends enabled log categories to a destination`, "diagnosticSettings", settings.map((s) => s.name));
}

// ---------------------------------------------------------------------------------------------------------------
// Subscriptions: Defender plans, role assignments, security contacts

export const SUBSCRIPTION = "Microsoft.Resources/subscriptions";

/** Rows of a type in the same subscription as `resource` (ctx.related is already subscription-scoped; this double-checks). */
export function relatedInSubscription(resource: ArmResource, ctx: EvaluationContext, type: string): ArmResource[] {
  const sub = subscriptionOf(resource);
  return ctx.related(type).filter((r) => !sub || subscriptionOf(r) === sub);
}

/** Defender plan check on a subscription row: `microsoft.security/pricings` named `plan` must be Standard. */
export function defenderPlan(resource: ArmResource, ctx: EvaluationContext, plan: string): Evaluation {
  if (!isType(resource, SUBSCRIPTION)) return notApplicable("Defender plans are set per subscription");
  const pricings = relatedInSubscription(resource, ctx, "microsoft.security/pricings");
  if (pricings.length === 0) return notApplicable("no Defender pricing records were collected for this subscription");
  const row = pricings.find((p) => p.name.toLowerCase() === plan.toLowerCase());
  const tier = row ? prop(row, "properties.pricingTier") : undefined;
  const path = `pricings/${plan}.properties.pricingTier`;
  if (typeof tier === "string" && tier.toLowerCase() === "standard") return compliant(`the ${plan} plan is on (Standard tier)`, path, tier);
  return noncompliant(row ? `the ${plan} plan is on the ${fmt(tier)} tier, so its threat protection is off` : `no ${plan} pricing record: the plan is off (Free)`, path, tier ?? "Free");
}

export const ROLE = {
  owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  userAccessAdministrator: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
  reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
} as const;

/** Role assignments (microsoft.authorization/roleassignments) scoped exactly at this subscription. */
export function subscriptionAssignments(resource: ArmResource, ctx: EvaluationContext): ArmResource[] {
  const scope = `/subscriptions/${subscriptionOf(resource)}`;
  return relatedInSubscription(resource, ctx, "microsoft.authorization/roleassignments").filter((a) => {
    const s = prop(a, "properties.scope");
    return typeof s === "string" && s.toLowerCase().replace(/\/$/, "") === scope;
  });
}

export function roleOf(assignment: ArmResource): string {
  return lastSegment(prop(assignment, "properties.roleDefinitionId"));
}

/** The distinct principals holding Owner at subscription scope, or the notApplicable verdict when that cannot be known. */
export function subscriptionOwners(resource: ArmResource, ctx: EvaluationContext): Evaluation | { names: string[] } {
  if (!isType(resource, SUBSCRIPTION)) return notApplicable("owners are assessed per subscription");
  if (relatedInSubscription(resource, ctx, "microsoft.authorization/roleassignments").length === 0) return notApplicable("no role assignments were collected for this subscription");
  const owners = subscriptionAssignments(resource, ctx).filter((a) => roleOf(a) === ROLE.owner);
  const principals = [...new Map(owners.map((a) => [String(prop(a, "properties.principalId") ?? a.id).toLowerCase(), a])).values()];
  return { names: principals.map(principalLabel) };
}

// ---------------------------------------------------------------------------------------------------------------
// Vulnerability findings: evaluated by Defender's scanners, read back from sub-assessments

const SUB = "microsoft.security/assessments/subassessments";

/**
 * Vulnerability scanners report through sub-assessments; we cannot scan, so a resource without sub-assessment rows
 * for these assessment keys is notApplicable (decided elsewhere), with unhealthy rows noncompliant.
 */
export function subAssessments(resource: ArmResource, ctx: EvaluationContext, types: string[], keys: string[]): Evaluation {
  if (!isType(resource, ...types)) return notApplicable(`not a ${types.join(" or ")}`);
  const rid = resource.id.toLowerCase();
  const wanted = keys.map((k) => k.toLowerCase());
  const rows = [...ctx.related(SUB), ...ctx.children().filter((c) => c.type.toLowerCase() === SUB)].filter((r) => {
    const id = r.id.toLowerCase();
    const onResource = id.startsWith(`${rid}/`) || sameId(prop(r, "properties.resourceDetails.id"), resource.id);
    return onResource && wanted.some((k) => id.includes(`/assessments/${k}/`));
  });
  const unique = [...new Map(rows.map((r) => [r.id.toLowerCase(), r])).values()];
  if (unique.length === 0) return notApplicable("no scanner findings were collected for this resource; this recommendation is evaluated by Defender's scanner");
  const bad = unique.filter((r) => String(prop(r, "properties.status.code") ?? "").toLowerCase() === "unhealthy");
  if (bad.length === 0) return compliant(`${unique.length} scanner finding(s), none unhealthy`, "subAssessments.status.code", "Healthy");
  const ids = bad.map((r) => String(prop(r, "properties.id") ?? prop(r, "properties.displayName") ?? r.name)).slice(0, 10);
  return noncompliant(`${bad.length} unhealthy scanner finding(s): ${ids.join(", ")}`, "subAssessments.status.code", ids);
}

// ---------------------------------------------------------------------------------------------------------------
// Virtual machines: extensions, NICs, NSGs

export const VM = "Microsoft.Compute/virtualMachines";
const EXT = "microsoft.compute/virtualmachines/extensions";

export function vmExtensions(vm: ArmResource, ctx: EvaluationContext): ArmResource[] {
  const prefix = `${vm.id.toLowerCase()}/extensions/`;
  const all = [...ctx.children(), ...ctx.related(EXT)].filter((e) => e.id.toLowerCase().startsWith(prefix));
  return [...new Map(all.map((e) => [e.id.toLowerCase(), e])).values()];
}

export function hasExtension(vm: ArmResource, ctx: EvaluationContext, match: { publisher?: string; types: string[] }): ArmResource | undefined {
  return vmExtensions(vm, ctx).find((e) => {
    const pub = String(prop(e, "properties.publisher") ?? "").toLowerCase();
    const t = String(prop(e, "properties.type") ?? "").toLowerCase();
    const state = String(prop(e, "properties.provisioningState") ?? "Succeeded").toLowerCase();
    return state !== "failed" && (!match.publisher || pub === match.publisher.toLowerCase()) && match.types.some((x) => x.toLowerCase() === t);
  });
}

export function osType(vm: ArmResource): "windows" | "linux" | undefined {
  const os = String(prop(vm, "properties.storageProfile.osDisk.osType") ?? "").toLowerCase();
  if (os === "windows" || os === "linux") return os;
  if (prop(vm, "properties.osProfile.windowsConfiguration")) return "windows";
  if (prop(vm, "properties.osProfile.linuxConfiguration")) return "linux";
  return undefined;
}

export function vmNics(vm: ArmResource, ctx: EvaluationContext): ArmResource[] {
  const refs = prop(vm, "properties.networkProfile.networkInterfaces");
  const ids = Array.isArray(refs) ? refs.map((r) => String((r as Record<string, unknown>)?.id ?? "").toLowerCase()) : [];
  return ctx.related("microsoft.network/networkinterfaces").filter((n) => ids.includes(n.id.toLowerCase()));
}

export function nicSubnetIds(nic: ArmResource): string[] {
  const cfgs = prop(nic, "properties.ipConfigurations");
  if (!Array.isArray(cfgs)) return [];
  return cfgs.map((c) => String(prop(c, "properties.subnet.id") ?? "").toLowerCase()).filter(Boolean);
}

export function nicHasPublicIp(nic: ArmResource): boolean {
  const cfgs = prop(nic, "properties.ipConfigurations");
  return Array.isArray(cfgs) && cfgs.some((c) => nonEmpty(prop(c, "properties.publicIPAddress.id")));
}

/** The subnet object (from a subnets row or from the parent virtual network's properties.subnets). */
export function findSubnet(id: string, ctx: EvaluationContext): Record<string, unknown> | undefined {
  const direct = ctx.related("microsoft.network/virtualnetworks/subnets").find((s) => s.id.toLowerCase() === id);
  if (direct) return direct as unknown as Record<string, unknown>;
  for (const vnet of ctx.related("microsoft.network/virtualnetworks")) {
    const subnets = prop(vnet, "properties.subnets");
    if (!Array.isArray(subnets)) continue;
    const s = subnets.find((x) => String((x as Record<string, unknown>)?.id ?? "").toLowerCase() === id);
    if (s) return s as Record<string, unknown>;
  }
  return undefined;
}

/** NSGs that filter a VM's traffic: on its NICs and on their subnets. */
export function vmNsgs(vm: ArmResource, ctx: EvaluationContext): { nics: ArmResource[]; nsgs: ArmResource[]; nsgIds: string[] } {
  const nics = vmNics(vm, ctx);
  const ids = new Set<string>();
  for (const nic of nics) {
    const nsg = prop(nic, "properties.networkSecurityGroup.id");
    if (typeof nsg === "string") ids.add(nsg.toLowerCase());
    for (const sid of nicSubnetIds(nic)) {
      const sub = findSubnet(sid, ctx);
      const sn = sub && prop(sub, "properties.networkSecurityGroup.id");
      if (typeof sn === "string") ids.add(sn.toLowerCase());
    }
  }
  const nsgs = ctx.related("microsoft.network/networksecuritygroups").filter((n) => ids.has(n.id.toLowerCase()));
  return { nics, nsgs, nsgIds: [...ids] };
}

const INTERNET = new Set(["*", "internet", "any", "0.0.0.0/0", "0.0.0.0", "::/0", "<nw>/0", "/0"]);

function asList(single: unknown, many: unknown): string[] {
  const out: string[] = [];
  if (typeof single === "string" && single) out.push(single);
  if (Array.isArray(many)) for (const m of many) if (typeof m === "string" && m) out.push(m);
  return out;
}

export function portMatches(spec: string, port: number | "*"): boolean {
  const s = spec.trim();
  if (s === "*") return true;
  if (port === "*") return false;
  const m = /^(\d+)\s*-\s*(\d+)$/.exec(s);
  if (m) return port >= Number(m[1]) && port <= Number(m[2]);
  return Number(s) === port;
}

export interface OpenRule {
  nsg: string;
  rule: string;
  port: number | "*";
  source: string;
  priority: number;
}

/**
 * Inbound rules that let the Internet reach `ports` on this NSG, evaluated in priority order: a higher-priority
 * Deny from the Internet for the port hides later Allows (as Azure evaluates them).
 */
export function internetOpenPorts(nsg: ArmResource, ports: (number | "*")[]): OpenRule[] {
  const raw = [...(arr(prop(nsg, "properties.securityRules")) ?? [])];
  const rules = raw
    .map((r) => ({
      name: String(prop(r, "name") ?? ""),
      access: String(prop(r, "properties.access") ?? "").toLowerCase(),
      direction: String(prop(r, "properties.direction") ?? "").toLowerCase(),
      priority: Number(prop(r, "properties.priority") ?? 65000),
      sources: asList(prop(r, "properties.sourceAddressPrefix"), prop(r, "properties.sourceAddressPrefixes")),
      dports: asList(prop(r, "properties.destinationPortRange"), prop(r, "properties.destinationPortRanges")),
    }))
    .filter((r) => r.direction === "inbound")
    .sort((a, b) => a.priority - b.priority);
  const open: OpenRule[] = [];
  for (const port of ports) {
    for (const r of rules) {
      const src = r.sources.find((s) => INTERNET.has(s.toLowerCase()) || /\/0$/.test(s));
      if (!src) continue;
      const hit = port === "*" ? r.dports.some((d) => d.trim() === "*") : r.dports.some((d) => portMatches(d, port));
      if (!hit) continue;
      if (r.access === "allow") open.push({ nsg: nsg.name, rule: r.name, port, source: src, priority: r.priority });
      break;
    }
  }
  return open;
}

export function arr(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

/** True when a private endpoint connection is Approved. */
export function hasApprovedPrivateEndpoint(resource: ArmResource): boolean {
  const pecs = arr(prop(resource, "properties.privateEndpointConnections")) ?? [];
  return pecs.some((p) => String(prop(p, "properties.privateLinkServiceConnectionState.status") ?? "").toLowerCase() === "approved");
}

export function privateLink(resource: ArmResource, types: string[]): Evaluation {
  if (!isType(resource, ...types)) return notApplicable(`not a ${types.join(" or ")}`);
  const pecs = arr(prop(resource, "properties.privateEndpointConnections")) ?? [];
  if (hasApprovedPrivateEndpoint(resource)) return compliant("an approved private endpoint connection exists", "properties.privateEndpointConnections", pecs.length);
  return noncompliant(pecs.length ? "private endpoint connections exist but none is approved" : "no private endpoint connection", "properties.privateEndpointConnections", pecs.length);
}

// ---------------------------------------------------------------------------------------------------------------
// Effective Internet exposure of a VM: inbound traffic must pass the subnet NSG and then the NIC NSG

export const MANAGEMENT_PORTS = [22, 3389, 5985, 5986] as const;

export interface NicLayers {
  nic: ArmResource;
  /** NSGs on the path, subnet first then NIC (Azure's inbound order). */
  nsgs: ArmResource[];
  /** NSG ids referenced by the NIC or its subnet that are not in the inventory. */
  missing: string[];
}

export function nicLayers(nic: ArmResource, ctx: EvaluationContext): NicLayers {
  const all = ctx.related("microsoft.network/networksecuritygroups");
  const ids: string[] = [];
  for (const sid of nicSubnetIds(nic)) {
    const sub = findSubnet(sid, ctx);
    const sn = sub && prop(sub, "properties.networkSecurityGroup.id");
    if (typeof sn === "string") ids.push(sn.toLowerCase());
  }
  const own = prop(nic, "properties.networkSecurityGroup.id");
  if (typeof own === "string") ids.push(own.toLowerCase());
  const unique = [...new Set(ids)];
  const nsgs = unique.map((id) => all.find((n) => n.id.toLowerCase() === id)).filter((n): n is ArmResource => !!n);
  return { nic, nsgs, missing: unique.filter((id) => !nsgs.some((n) => n.id.toLowerCase() === id)) };
}

export interface Exposure {
  nic: string;
  port: number | "*";
  /** The allowing rule on each NSG of the path. */
  rules: OpenRule[];
}

/** True when every NSG on the path lets the Internet reach `port` (each NSG evaluated in priority order). */
export function reachable(layers: NicLayers, port: number | "*"): OpenRule[] | undefined {
  if (layers.nsgs.length === 0) return undefined;
  const rules: OpenRule[] = [];
  for (const nsg of layers.nsgs) {
    const open = internetOpenPorts(nsg, [port]);
    if (open.length === 0) return undefined;
    rules.push(open[0]);
  }
  return rules;
}

/**
 * The VM's NICs with their NSG layers and the ports in `ports` the Internet can reach through every layer.
 * `unfiltered` lists NICs with no NSG on either layer; `missing` NSGs referenced but not collected.
 */
export function vmExposure(vm: ArmResource, ctx: EvaluationContext, ports: readonly (number | "*")[]): { nics: NicLayers[]; open: Exposure[]; unfiltered: string[]; missing: string[] } {
  const nics = vmNics(vm, ctx).map((n) => nicLayers(n, ctx));
  const open: Exposure[] = [];
  for (const l of nics)
    for (const port of ports) {
      const rules = reachable(l, port);
      if (rules) open.push({ nic: l.nic.name, port, rules });
    }
  return {
    nics,
    open,
    unfiltered: nics.filter((l) => l.nsgs.length === 0 && l.missing.length === 0).map((l) => l.nic.name),
    missing: nics.flatMap((l) => l.missing),
  };
}

export function describeExposure(open: Exposure[]): string {
  return open.map((o) => `port ${o.port} via ${o.nic} (${o.rules.map((r) => `${r.nsg}/${r.rule} from ${r.source}`).join(" and ")})`).join("; ");
}

/** Inbound Allow rules of an NSG (any source), with their destination port specs. */
export function inboundAllowRules(nsg: ArmResource): { rule: string; priority: number; sources: string[]; ports: string[] }[] {
  return (arr(prop(nsg, "properties.securityRules")) ?? [])
    .filter((r) => String(prop(r, "properties.direction") ?? "").toLowerCase() === "inbound" && String(prop(r, "properties.access") ?? "").toLowerCase() === "allow")
    .map((r) => ({
      rule: String(prop(r, "name") ?? ""),
      priority: Number(prop(r, "properties.priority") ?? 65000),
      sources: asList(prop(r, "properties.sourceAddressPrefix"), prop(r, "properties.sourceAddressPrefixes")),
      ports: asList(prop(r, "properties.destinationPortRange"), prop(r, "properties.destinationPortRanges")),
    }));
}

/** The VM's NIC ids (from the VM row itself; no look-up needed). */
export function vmNicIds(vm: ArmResource): string[] {
  const refs = prop(vm, "properties.networkProfile.networkInterfaces");
  return Array.isArray(refs) ? refs.map((r) => String((r as Record<string, unknown>)?.id ?? "")).filter(Boolean) : [];
}

// ---------------------------------------------------------------------------------------------------------------
// Role assignments: who holds which role on the subscription

/**
 * External (guest, B2B) principal, from Clarion's optional `properties.principalName` hint (`#EXT#` in the UPN).
 * Real role-assignment rows carry no user type, so without the hint the answer is `undefined` (cannot tell).
 */
export function isExternalPrincipal(assignment: ArmResource): boolean | undefined {
  if (String(prop(assignment, "properties.principalType") ?? "").toLowerCase() !== "user") return false;
  const name = prop(assignment, "properties.principalName");
  if (typeof name !== "string" || !name) return undefined;
  return /#ext#/i.test(name);
}

export function principalLabel(assignment: ArmResource): string {
  const name = prop(assignment, "properties.principalName");
  return typeof name === "string" && name ? name : String(prop(assignment, "properties.principalId") ?? assignment.name);
}

/** External principals holding any of `roles` at subscription scope; notApplicable when user principals lack the hint. */
export function externalWithRoles(resource: ArmResource, ctx: EvaluationContext, roles: string[], what: string): Evaluation {
  if (!isType(resource, SUBSCRIPTION)) return notApplicable("role assignments are assessed per subscription");
  const all = relatedInSubscription(resource, ctx, "microsoft.authorization/roleassignments");
  if (all.length === 0) return notApplicable("no role assignments were collected for this subscription");
  const holders = subscriptionAssignments(resource, ctx).filter((a) => roles.includes(roleOf(a)));
  const external = holders.filter((a) => isExternalPrincipal(a) === true);
  if (external.length) return noncompliant(`${external.length} external account(s) hold ${what} permissions on the subscription: ${external.map(principalLabel).slice(0, 5).join(", ")}`, "roleAssignments.principalName", external.map(principalLabel));
  const unknown = holders.filter((a) => isExternalPrincipal(a) === undefined);
  if (unknown.length) return notApplicable(`${unknown.length} user assignment(s) with ${what} permissions carry no account name, so guest status cannot be decided from role assignments alone`);
  return compliant(`${holders.length} assignment(s) with ${what} permissions at subscription scope, none to an external account`, "roleAssignments", holders.length);
}
