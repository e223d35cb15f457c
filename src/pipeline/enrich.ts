import { explainOffline } from "../ai/offline-engine";
import type { FrameworkCatalog } from "../compliance/catalog";
import { frameworkLabel } from "../compliance/framework-sources";
import type { Dossier, Fact, Finding, Remediation } from "../domain/finding";
import type { Assessment } from "../domain/records";
import { parseResourceId } from "../domain/resource";
import type { ArmResource } from "../domain/resource";
import { remediateGeneric } from "../packs/generic";
import type { PackRegistry } from "../packs/registry";
import type { Pack } from "../packs/schema";
import { findingId } from "./finding-id";
import { DEFAULT_WEIGHTS, type RiskWeights, scoreRisk } from "../risk/score";
import {
  APP_KEYS,
  CRIT_KEYS,
  DATA_KEYS,
  ENV_KEYS,
  type EstateIndex,
  type Environment,
  normalizeEnvironment,
  OWNER_KEYS,
  resolveTag,
} from "./context";

/** What the enrich stage may use beyond the estate: side analyses (graph, changes, KEV) are optional ports. */
export interface EnrichPorts {
  packs: PackRegistry;
  frameworks: FrameworkCatalog;
  now: Date;
  weights?: RiskWeights;
  /** Resource id (lower-case) -> internet exposure summary, from the exposure graph when available. */
  exposure?: Map<string, string>;
  /** Resource id (lower-case) -> attack paths through it. */
  attackPaths?: Map<string, { id: string; summary: string }[]>;
  /** Finding id -> the change that most likely caused it. */
  rootCauses?: Map<string, { changeId: string; caller: string; time: string; operation: string }>;
  /** CVE id -> true when in CISA KEV. */
  isKnownExploited?: (cve: string) => boolean;
  /** Owner from a CMDB file: resource id or resource group (lower-case) -> owner. */
  cmdb?: Map<string, string>;
}

export { findingId };

const TYPE_LABELS: Record<string, string> = {
  "microsoft.storage/storageaccounts": "storage account",
  "microsoft.keyvault/vaults": "key vault",
  "microsoft.sql/servers": "SQL server",
  "microsoft.sql/servers/databases": "SQL database",
  "microsoft.compute/virtualmachines": "virtual machine",
  "microsoft.compute/disks": "managed disk",
  "microsoft.network/networksecuritygroups": "network security group",
  "microsoft.network/virtualnetworks": "virtual network",
  "microsoft.network/networkinterfaces": "network interface",
  "microsoft.network/publicipaddresses": "public IP address",
  "microsoft.web/sites": "App Service app",
  "microsoft.containerservice/managedclusters": "Kubernetes cluster",
  "microsoft.containerregistry/registries": "container registry",
  "microsoft.documentdb/databaseaccounts": "Cosmos DB account",
  "microsoft.resources/subscriptions": "subscription",
  "microsoft.operationalinsights/workspaces": "Log Analytics workspace",
  "microsoft.servicebus/namespaces": "Service Bus namespace",
  "microsoft.eventhub/namespaces": "Event Hubs namespace",
};

export function typeLabel(type: string): string {
  const t = type.toLowerCase();
  return TYPE_LABELS[t] ?? t.split("/").pop()?.replace(/([a-z])([A-Z])/g, "$1 $2") ?? "resource";
}

/** Environment: resource tag, resource-group tag, subscription tag, then the name's suffix; each with its fact. */
export function resolveEnvironment(index: EstateIndex, r: ArmResource): { env: Environment; fact: Fact } {
  const tag = resolveTag(index, r, ENV_KEYS, "env");
  if (tag) {
    const env = normalizeEnvironment(tag.value);
    if (env !== "unknown") return { env, fact: { id: "env", value: env, source: `${tag.fact.source}: ${tag.value}` } };
  }
  const m = /(?:^|[-_])(prd|prod|dev|test|tst|stg|uat|corp)(?:[-_]|\d|$)/i.exec(`${r.resourceGroup ?? ""} ${r.name}`);
  if (m) {
    const env = normalizeEnvironment(m[1]);
    if (env !== "unknown") return { env, fact: { id: "env", value: env, source: `name suffix '${m[1]}' of ${r.resourceGroup || r.name}` } };
  }
  return { env: "unknown", fact: { id: "env", value: "unknown", source: "no environment tag on resource, group or subscription" } };
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;

/** Owner: resource tag, resource-group tag, subscription tag, CMDB, last changer; the source is recorded. */
export function resolveOwner(index: EstateIndex, r: ArmResource, cmdb?: Map<string, string>): { owner: Finding["owner"]; fact?: Fact } {
  const t = resolveTag(index, r, OWNER_KEYS, "owner");
  const src = { resource: "resource-tag", "resource-group": "resource-group-tag", subscription: "subscription-tag" } as const;
  if (t) {
    const email = EMAIL.exec(t.value)?.[0] ?? null;
    return { owner: { name: t.value, email, source: src[t.level] }, fact: t.fact };
  }
  const fromCmdb = cmdb?.get(r.id.toLowerCase()) ?? cmdb?.get(`${(r.subscriptionId ?? "").toLowerCase()}|${(r.resourceGroup ?? "").toLowerCase()}`);
  if (fromCmdb) return { owner: { name: fromCmdb, email: EMAIL.exec(fromCmdb)?.[0] ?? null, source: "cmdb" }, fact: { id: "owner", value: fromCmdb, source: "CMDB file" } };
  const events = index.activityByResource.get(r.id.toLowerCase()) ?? [];
  const last = [...events].reverse().find((e) => /\/(write|delete|action)$/i.test(e.operationName) && e.caller);
  if (last) return { owner: { name: last.caller, email: EMAIL.exec(last.caller)?.[0] ?? null, source: "last-changer" }, fact: { id: "owner", value: principalLabel(last.caller), source: `last change ${last.operationName} at ${last.time}` } };
  return { owner: { name: "unknown", email: null, source: "unknown" } };
}

/** A first, property-based view of Internet exposure; the exposure graph (src/graph) refines it when present. */
export function propertyExposure(r: ArmResource): { level: "internet" | "restricted-public" | "private" | "unknown"; reason: string } {
  const p = (r.properties ?? {}) as Record<string, any>;
  const t = r.type.toLowerCase();
  if (p.publicNetworkAccess === "Disabled") return { level: "private", reason: "public network access is disabled" };
  if (t === "microsoft.storage/storageaccounts" || t === "microsoft.keyvault/vaults" || t === "microsoft.containerregistry/registries") {
    const acl = p.networkAcls ?? p.networkRuleSet;
    if (acl?.defaultAction === "Allow") return { level: "internet", reason: "firewall default action Allow: any network can connect" };
    return { level: "restricted-public", reason: "public endpoint limited by firewall rules" };
  }
  if (t === "microsoft.documentdb/databaseaccounts") {
    if (p.isVirtualNetworkFilterEnabled === false && !(p.ipRules ?? []).length) return { level: "internet", reason: "no IP or virtual network filter on the public endpoint" };
    return { level: "restricted-public", reason: "public endpoint limited by filters" };
  }
  if (t === "microsoft.web/sites") return { level: "internet", reason: "app endpoint published on azurewebsites.net" };
  if (t === "microsoft.containerservice/managedclusters") {
    const api = p.apiServerAccessProfile ?? {};
    if (api.enablePrivateCluster) return { level: "private", reason: "private cluster" };
    if (!(api.authorizedIPRanges ?? []).length) return { level: "internet", reason: "API server public with no authorized IP ranges" };
    return { level: "restricted-public", reason: "API server limited to authorized IP ranges" };
  }
  if (t === "microsoft.sql/servers") return { level: p.publicNetworkAccess === "Enabled" ? "restricted-public" : "unknown", reason: "public endpoint governed by server firewall rules" };
  return { level: "unknown", reason: "exposure not derived for this type" };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A caller as a person reads it: UPNs as they are, bare object ids as "service principal 599b4882…". */
export function principalLabel(caller: string): string {
  return GUID.test(caller) ? `service principal ${caller.slice(0, 8)}…` : caller;
}

/** "7 Nov 2026 14:06 UTC" */
export function humanTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.getUTCMonth()];
  return `${d.getUTCDate()} ${month} ${d.getUTCFullYear()} ${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")} UTC`;
}

function hoursBefore(changeIso: string, statusIso: string | undefined): string {
  const gap = statusIso ? (Date.parse(statusIso) - Date.parse(changeIso)) / 3_600_000 : Number.NaN;
  if (!Number.isFinite(gap) || gap < 0) return "before it turned unhealthy";
  return gap < 1 ? `${Math.max(1, Math.round(gap * 60))} min before it turned unhealthy` : `${Math.round(gap)} h before it turned unhealthy`;
}

interface Grouping {
  pack?: Pack;
  assessments: Assessment[];
}

/**
 * The enrich stage (pure): joins unhealthy assessments to resources, resolves environment, owner, data class
 * and controls, builds the dossier, scores risk, explains and drafts remediation.
 */
export function enrichFindings(index: EstateIndex, ports: EnrichPorts): { findings: Finding[]; unmatched: number; orphaned: number } {
  const weights = ports.weights ?? DEFAULT_WEIGHTS;
  const unhealthy = index.tenant.assessments.filter((a) => a.status === "Unhealthy");
  // Blast radius per (pack, subscription) for policy drafts.
  const groups = new Map<string, Grouping>();
  let unmatched = 0;
  const matches = unhealthy.map((a) => {
    const m = ports.packs.match({ assessmentKey: a.assessmentKey, policyDefinitionId: a.policyDefinitionId, displayName: a.displayName });
    if (!m) unmatched++;
    const key = `${m?.pack.meta.id ?? a.assessmentKey}|${parseResourceId(a.resourceId).subscriptionId.toLowerCase()}`;
    const g = groups.get(key) ?? { pack: m?.pack, assessments: [] };
    g.assessments.push(a);
    groups.set(key, g);
    return { a, pack: m?.pack, key };
  });

  let orphaned = 0;
  const findings: Finding[] = [];
  for (const { a, pack, key } of matches) {
    const parsed = parseResourceId(a.resourceId);
    const resource: ArmResource = index.resource(a.resourceId) ?? (orphaned++, {
      id: a.resourceId,
      name: parsed.name,
      type: parsed.type || "unknown",
      subscriptionId: parsed.subscriptionId,
      resourceGroup: parsed.resourceGroup,
      location: "",
      tags: {},
      properties: {},
    });
    const id = findingId(a.id);
    const facts: Fact[] = [];
    const fact = (f: Fact | undefined) => f && facts.push(f);
    fact({ id: "resource.name", value: resource.name, source: "inventory" });
    fact({ id: "resource.typeLabel", value: typeLabel(resource.type), source: `inventory type ${resource.type}` });
    fact({ id: "resource.id", value: resource.id, source: "inventory" });
    fact({ id: "recommendation", value: a.displayName, source: `Defender assessment ${a.assessmentKey}` });
    if (a.statusDescription) fact({ id: "status.reason", value: a.statusDescription, source: "Defender assessment status" });
    const { env, fact: envFact } = resolveEnvironment(index, resource);
    fact(envFact);
    const appTag = resolveTag(index, resource, APP_KEYS, "tag.application", { subscription: false });
    fact(appTag?.fact);
    const dataTag = resolveTag(index, resource, DATA_KEYS, "tag.dataClassification", { subscription: false });
    fact(dataTag?.fact);
    const critTag = resolveTag(index, resource, CRIT_KEYS, "tag.criticality", { subscription: false });
    fact(critTag?.fact);
    const { owner, fact: ownerFact } = resolveOwner(index, resource, ports.cmdb);
    fact(ownerFact);

    // Controls: from the assessment's policy, else the pack's policies; deduplicated.
    const policyIds = [a.policyDefinitionId, ...(pack?.meta.policyDefinitionIds ?? [])].filter((x): x is string => !!x);
    const seen = new Set<string>();
    const controls: Finding["controls"] = [];
    for (const pid of policyIds)
      for (const c of ports.frameworks.controlsForPolicy(pid)) {
        const k = `${c.framework}/${c.controlId}`;
        if (seen.has(k)) continue;
        seen.add(k);
        controls.push(c);
      }
    const fwNames = new Set<string>();
    for (const c of controls) {
      facts.push({ id: `control.${c.framework}/${c.controlId}`, value: "in scope", source: `built-in initiative mapping (policy ${policyIds[0]?.split("/").pop()?.slice(0, 8)})` });
      if (!fwNames.has(c.framework)) {
        fwNames.add(c.framework);
        const fw = ports.frameworks.get(c.framework);
        if (fw) facts.push({ id: `framework.${c.framework}`, value: frameworkLabel(fw), source: fw.derivedFrom });
      }
    }

    // Exposure.
    const graphExposure = ports.exposure?.get(resource.id.toLowerCase());
    const prop = propertyExposure(resource);
    const exposure = graphExposure ? { level: "internet" as const, reason: graphExposure } : prop;
    if (exposure.level === "internet") facts.push({ id: "exposure.internet", value: exposure.reason, source: graphExposure ? "exposure graph (NSG evaluation)" : "resource network properties" });

    // Alerts, vulnerabilities, attack paths, root cause.
    const alerts = (index.alertsByResource.get(resource.id.toLowerCase()) ?? []).map((al) => ({
      severity: al.severity,
      ageHours: (ports.now.getTime() - Date.parse(al.startTime)) / 3_600_000,
      displayName: al.displayName,
      id: al.id,
    }));
    alerts.sort((x, y) => x.ageHours - y.ageHours || x.id.localeCompare(y.id));
    for (const al of alerts.filter((x) => x.ageHours <= 24 * 7).slice(0, 2))
      facts.push({ id: `alert.${al.id.split("/").pop()}`, value: `${al.displayName} on ${resource.name} ${Math.max(0, Math.round(al.ageHours))} h ago (${al.severity})`, source: "Defender alert" });
    const vulns = index.vulnsByResource.get(resource.id.toLowerCase()) ?? [];
    const cves = [...new Set(vulns.filter((v) => v.status === "Unhealthy").flatMap((v) => v.cves))].sort();
    const kev = ports.isKnownExploited ? cves.filter((c) => ports.isKnownExploited?.(c)) : [];
    for (const c of kev) facts.push({ id: `kev.${c}`, value: `${c} is in the CISA Known Exploited Vulnerabilities catalog`, source: "CISA KEV snapshot" });
    const maxCvss = vulns.reduce((m, v) => Math.max(m, v.cvss ?? 0), 0);
    const paths = ports.attackPaths?.get(resource.id.toLowerCase()) ?? [];
    for (const p of paths.slice(0, 1)) facts.push({ id: `path.${p.id}`, value: p.summary, source: "attack path analysis" });
    const rootCause = ports.rootCauses?.get(id) ?? null;
    if (rootCause)
      facts.push({
        id: `change.${rootCause.changeId.slice(0, 8)}`,
        value: `${principalLabel(rootCause.caller)} ran ${rootCause.operation} on ${humanTime(rootCause.time)}, ${hoursBefore(rootCause.time, a.statusChangeDate)}`,
        source: `Activity log, correlation id ${rootCause.changeId}`,
      });

    // Secure Score points regained by fixing this resource.
    const control = index.scoreControlByKey.get(`${parsed.subscriptionId.toLowerCase()}|${a.assessmentKey.toLowerCase()}`);
    const assessed = control ? control.healthyResourceCount + control.unhealthyResourceCount : 0;
    const gain = control && assessed ? control.maxScore / assessed : 0;
    if (control) facts.push({ id: "secureScore.control", value: `${control.displayName} (max ${control.maxScore} points)`, source: "Secure Score controls" });

    const severity = a.severity ?? pack?.meta.severity ?? "Medium";
    const risk = scoreRisk(
      {
        severity,
        environment: env,
        dataClassification: dataTag?.value,
        exposure: exposure.level,
        exposureReason: exposure.reason,
        onAttackPath: paths.length,
        attackPathReason: paths[0]?.summary,
        alerts,
        exploitability: { kev, maxCvss: maxCvss || undefined },
        criticality: critTag?.value,
        secureScoreGain: gain,
        secureScoreControl: control?.displayName,
      },
      weights,
    );

    const dossier: Dossier = { findingId: id, facts };
    const explanation = explainOffline({
      dossier,
      sections: pack?.explain,
      generic: pack ? undefined : { title: a.displayName, description: a.description, remediation: a.remediationDescription },
      requiredRole: pack?.meta.fix.requiredRole,
      downtime: pack?.meta.fix.downtime,
    });

    let remediation: Remediation[] = pack
      ? []
      : remediateGeneric({ id: a.assessmentKey, displayName: a.displayName, severity: a.severity, description: a.description, remediationDescription: a.remediationDescription, policyDefinitionId: a.policyDefinitionId, resourceId: resource.id, resourceName: resource.name, resourceType: resource.type, category: a.categories?.[0] });
    if (pack) {
      try {
        remediation = pack.module.remediate({
          resource,
          subscriptionId: parsed.subscriptionId,
          resourceGroup: parsed.resourceGroup,
          name: resource.name,
          location: resource.location ?? "",
          affectedCount: groups.get(key)?.assessments.length ?? 1,
        });
      } catch {
        remediation = [];
      }
    }

    findings.push({
      id,
      resourceId: resource.id,
      resourceName: resource.name,
      resourceType: resource.type,
      subscriptionId: parsed.subscriptionId,
      resourceGroup: parsed.resourceGroup,
      environment: env,
      recommendation: {
        id: a.assessmentKey,
        name: a.displayName,
        severity,
        category: a.categories?.[0] ?? pack?.meta.category ?? "General",
        policyDefinitionId: a.policyDefinitionId ?? pack?.meta.policyDefinitionIds[0] ?? null,
        packId: pack?.meta.id ?? null,
      },
      status: "Unhealthy",
      risk,
      owner,
      controls,
      attackPaths: paths.map((p) => p.id),
      rootCause: rootCause ? { changeId: rootCause.changeId, caller: rootCause.caller, time: rootCause.time, operation: rootCause.operation } : null,
      explanation,
      remediation,
      exemption: null,
      dossier: facts,
      firstSeen: a.firstEvaluationDate,
      statusChangeDate: a.statusChangeDate ?? null,
    });
  }
  findings.sort((x, y) => y.risk.score - x.risk.score || x.id.localeCompare(y.id));
  return { findings, unmatched, orphaned };
}
