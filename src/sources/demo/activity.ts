/**
 * Demo Activity Log: a month of a team's configuration work on the demo estate, in the Activity Log REST shape
 * (`Microsoft.Insights/eventtypes/management/values` items).
 *
 * - ~15 people with roles (network, developer, data, SRE, security), their own hours in the tenant's time zone,
 *   networks (office / home), client apps and resource groups; a few on call at night and at weekends;
 * - pipelines and automation (production releases, non-production deployments, nightly snapshot rotation with
 *   deletes, policy remediation) with their own hours, as service principals;
 * - deployments carry one correlation id across the deployment and its resource writes; every operation logs
 *   `Started` then `Succeeded` (or `Failed`); reads are not logged;
 * - planted, in the last week: a developer editing a production NSG after hours, first-time sensitive
 *   operations, a mass delete, stolen-credential use from an unknown network and app, a pipeline acting out of
 *   pattern; and, for part of the unhealthy findings, the write that caused each one shortly before its status change.
 *
 * Ground truth is returned beside the events and never inside them: planted events look like any other event.
 */
import { nsgsFiltering } from "../../changes/related";
import type { ArmResource } from "../../domain/resource";
import { PEOPLE } from "./catalog";
import { createRng, type Rng, subSeed } from "./rng";

export interface ActivityInput {
  seed: number;
  now: Date;
  days: number;
  /** IANA zone the team works in. */
  timeZone: string;
  resources: ArmResource[];
  unhealthy: { assessmentId: string; resourceId: string }[];
  /** User principal names of the team (default: the demo catalog's people). */
  principals?: string[];
}

/** An Activity Log REST event (`EventData`). */
export type RawActivityEvent = Record<string, unknown>;

export interface ActivityOutput {
  events: RawActivityEvent[];
  /** assessment id → ISO time Defender recorded the status change. */
  statusChangeDates: Record<string, string>;
  truth: {
    anomalousEventIds: string[];
    /** assessment id → event id of the change that caused it. */
    rootCause: Record<string, string>;
  };
}

// Well-known first-party client application ids (public facts).
const APPS = {
  portal: "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
  cli: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
  powershell: "1950a258-227b-4e31-a9cf-717495945fc2",
} as const;

type Role = "network" | "developer" | "data" | "sre" | "security";

interface Person {
  caller: string;
  objectId: string;
  role: Role;
  start: number;
  end: number;
  apps: string[];
  home: string;
  /** Resource groups (lower-cased) this person works in. */
  rgs: Set<string>;
  onCall: boolean;
  daysOff: Set<number>;
}

interface OpSpec {
  op: string;
  w: number;
  child?: (rng: Rng) => string;
}

const pickName = (names: string[]) => (rng: Rng) => rng.pick(names);
const RULES = pickName(["allow-https", "allow-app-8080", "allow-lb-probe", "deny-all-inbound", "allow-monitoring", "allow-bastion"]);

/** Operations people and pipelines run, by lower-cased resource type (casing as Azure logs them). */
const OPS: Record<string, OpSpec[]> = {
  "microsoft.network/networksecuritygroups": [
    { op: "Microsoft.Network/networkSecurityGroups/securityRules/write", w: 5, child: (r) => `securityRules/${RULES(r)}` },
    { op: "Microsoft.Network/networkSecurityGroups/write", w: 1 },
    { op: "Microsoft.Network/networkSecurityGroups/securityRules/delete", w: 1, child: (r) => `securityRules/${RULES(r)}` },
  ],
  "microsoft.network/virtualnetworks": [
    { op: "Microsoft.Network/virtualNetworks/subnets/write", w: 3, child: (r) => `subnets/${r.pick(["snet-web", "snet-app", "snet-data"])}` },
    { op: "Microsoft.Network/virtualNetworks/write", w: 1 },
  ],
  "microsoft.network/publicipaddresses": [{ op: "Microsoft.Network/publicIPAddresses/write", w: 1 }],
  "microsoft.network/loadbalancers": [{ op: "Microsoft.Network/loadBalancers/write", w: 1 }],
  "microsoft.network/routetables": [{ op: "Microsoft.Network/routeTables/routes/write", w: 1, child: (r) => `routes/${r.pick(["to-firewall", "to-onprem"])}` }],
  "microsoft.network/privateendpoints": [{ op: "Microsoft.Network/privateEndpoints/write", w: 1 }],
  "microsoft.network/networkinterfaces": [{ op: "Microsoft.Network/networkInterfaces/write", w: 1 }],
  "microsoft.network/bastionhosts": [{ op: "Microsoft.Network/bastionHosts/write", w: 1 }],
  "microsoft.web/sites": [
    { op: "Microsoft.Web/sites/config/write", w: 3, child: () => "config/web" },
    { op: "Microsoft.Web/sites/write", w: 2 },
    { op: "Microsoft.Web/sites/restart/action", w: 2 },
  ],
  "microsoft.web/serverfarms": [{ op: "Microsoft.Web/serverfarms/write", w: 1 }],
  "microsoft.insights/components": [{ op: "Microsoft.Insights/components/write", w: 1 }],
  "microsoft.storage/storageaccounts": [
    { op: "Microsoft.Storage/storageAccounts/write", w: 2 },
    { op: "Microsoft.Storage/storageAccounts/blobServices/containers/write", w: 2, child: (r) => `blobServices/default/containers/${r.pick(["uploads", "exports", "logs", "backups"])}` },
    { op: "Microsoft.Storage/storageAccounts/listKeys/action", w: 1 },
  ],
  "microsoft.sql/servers": [
    { op: "Microsoft.Sql/servers/write", w: 1 },
    { op: "Microsoft.Sql/servers/firewallRules/write", w: 1, child: (r) => `firewallRules/${r.pick(["office", "build-agents", "AllowAllWindowsAzureIps"])}` },
  ],
  "microsoft.sql/servers/databases": [{ op: "Microsoft.Sql/servers/databases/write", w: 1 }],
  "microsoft.documentdb/databaseaccounts": [{ op: "Microsoft.DocumentDB/databaseAccounts/write", w: 1 }],
  "microsoft.servicebus/namespaces": [
    { op: "Microsoft.ServiceBus/namespaces/write", w: 1 },
    { op: "Microsoft.ServiceBus/namespaces/queues/write", w: 2, child: (r) => `queues/${r.pick(["orders", "events", "notifications"])}` },
  ],
  "microsoft.eventhub/namespaces": [{ op: "Microsoft.EventHub/namespaces/write", w: 1 }],
  "microsoft.keyvault/vaults": [
    { op: "Microsoft.KeyVault/vaults/secrets/write", w: 3, child: (r) => `secrets/${r.pick(["db-password", "api-key", "storage-conn", "cert-pass"])}` },
    { op: "Microsoft.KeyVault/vaults/write", w: 1 },
    { op: "Microsoft.KeyVault/vaults/accessPolicies/write", w: 1, child: () => "accessPolicies/add" },
  ],
  "microsoft.compute/virtualmachines": [
    { op: "Microsoft.Compute/virtualMachines/write", w: 2 },
    { op: "Microsoft.Compute/virtualMachines/start/action", w: 2 },
    { op: "Microsoft.Compute/virtualMachines/deallocate/action", w: 2 },
    { op: "Microsoft.Compute/virtualMachines/restart/action", w: 1 },
    { op: "Microsoft.Compute/virtualMachines/extensions/write", w: 1, child: (r) => `extensions/${r.pick(["AzureMonitorLinuxAgent", "MDE.Linux", "CustomScript"])}` },
  ],
  "microsoft.compute/disks": [{ op: "Microsoft.Compute/disks/write", w: 1 }],
  "microsoft.containerservice/managedclusters": [
    { op: "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action", w: 3 },
    { op: "Microsoft.ContainerService/managedClusters/agentPools/write", w: 2, child: (r) => `agentPools/${r.pick(["system", "user1"])}` },
    { op: "Microsoft.ContainerService/managedClusters/write", w: 1 },
  ],
  "microsoft.containerregistry/registries": [{ op: "Microsoft.ContainerRegistry/registries/write", w: 1 }],
  "microsoft.operationalinsights/workspaces": [{ op: "Microsoft.OperationalInsights/workspaces/write", w: 1 }],
  "microsoft.insights/actiongroups": [{ op: "Microsoft.Insights/actionGroups/write", w: 1 }],
  "microsoft.recoveryservices/vaults": [{ op: "Microsoft.RecoveryServices/vaults/write", w: 1 }],
  "microsoft.managedidentity/userassignedidentities": [{ op: "Microsoft.ManagedIdentity/userAssignedIdentities/write", w: 1 }],
};

const ROLE_TYPES: Record<Role, string[]> = {
  network: ["networksecuritygroups", "virtualnetworks", "publicipaddresses", "loadbalancers", "routetables", "privateendpoints", "networkinterfaces", "bastionhosts"],
  developer: ["web/sites", "serverfarms", "insights/components", "storageaccounts", "servers/databases", "servicebus", "containerregistry"],
  data: ["sql/servers", "servers/databases", "storageaccounts", "documentdb", "eventhub"],
  sre: ["virtualmachines", "compute/disks", "managedclusters", "operationalinsights", "actiongroups", "recoveryservices"],
  security: ["keyvault", "userassignedidentities"],
};

/** Environments each role changes by hand (production goes through pipelines for developers). */
const ROLE_ENVS: Record<Role, Env[]> = {
  network: ["production", "development", "shared"],
  developer: ["development"],
  data: ["production", "development", "shared"],
  sre: ["production", "development", "shared"],
  security: ["production", "development", "shared"],
};

type Env = "production" | "development" | "shared";

interface Target {
  id: string;
  type: string;
  rg: string;
  rgId: string;
  env: Env;
  res: ArmResource;
}

const HOUR = 3_600_000;
const MIN = 60_000;

export function generateActivity(input: ActivityInput): ActivityOutput {
  const rng = createRng(subSeed(input.seed, "activity"));
  const tz = input.timeZone;
  const now = input.now.getTime();
  const start = now - input.days * 24 * HOUR;
  const tenantId = createRng(subSeed(input.seed, "activity-tenant")).uuid();
  const events: RawActivityEvent[] = [];
  const anomalous: string[] = [];

  // ---- targets
  const targets: Target[] = [];
  for (const r of input.resources) {
    const type = r.type.toLowerCase();
    if (!OPS[type]) continue;
    const rg = (r.resourceGroup || /\/resourceGroups\/([^/]+)/i.exec(r.id)?.[1] || "").toLowerCase();
    const rgId = r.id.split("/providers/")[0];
    targets.push({ id: r.id, type, rg, rgId, env: envOf(r), res: r });
  }
  const byRg = group(targets, (t) => t.rg);
  const rgEnv = new Map<string, Env>([...byRg].map(([rg, ts]) => [rg, ts[0].env]));

  // ---- people
  const upns = input.principals?.length ? input.principals : PEOPLE;
  const roles: Role[] = ["network", "network", "network", "developer", "developer", "developer", "developer", "developer", "data", "data", "sre", "sre", "sre", "security", "security"];
  const order = shuffle(rng, upns.map((_, i) => i));
  const people: Person[] = order.map((idx, k) => {
    const role = roles[k % roles.length];
    const s = rng.int(7, 9);
    const apps = rng.chance(0.5) ? [APPS.portal, rng.pick([APPS.cli, APPS.powershell])] : [rng.pick([APPS.portal, APPS.cli])];
    const eligible = [...byRg.keys()].filter((rg) => ROLE_ENVS[role].includes(rgEnv.get(rg) ?? "development") && (byRg.get(rg) ?? []).some((t) => matchesRole(t.type, role)));
    const rgs = new Set(shuffle(rng, eligible).slice(0, role === "network" || role === "security" ? 12 : rng.int(3, 5)));
    const daysOff = new Set<number>();
    for (let i = 0; i < rng.int(0, 3); i++) daysOff.add(rng.int(0, input.days - 1));
    return { caller: upns[idx], objectId: rng.uuid(), role, start: s, end: s + rng.int(8, 9), apps, home: `${rng.int(62, 95)}.${rng.int(1, 254)}.${rng.int(1, 254)}`, rgs, onCall: false, daysOff };
  });
  for (const role of ["sre", "network"] as Role[]) {
    const p = people.find((x) => x.role === role);
    if (p) p.onCall = true;
  }
  const office = "203.0.113";
  const vpn = "198.51.100";

  // ---- emit helpers
  const emit = (o: {
    caller: string;
    objectId: string;
    appId: string;
    ip: string;
    op: string;
    resourceId: string;
    time: number;
    correlationId?: string;
    failed?: boolean;
    requestBody?: unknown;
    planted?: boolean;
    upn?: boolean;
  }): string => {
    // Only the window [now - days, now) is logged (an operation must also have finished by now).
    if (o.time < start || o.time + 60_000 >= now) return "";
    const correlationId = o.correlationId ?? rng.uuid();
    const sub = /\/subscriptions\/([^/]+)/i.exec(o.resourceId)?.[1] ?? "";
    const rg = /\/resourceGroups\/([^/]+)/i.exec(o.resourceId)?.[1];
    const provider = o.op.split("/")[0];
    const claims: Record<string, string> = { appid: o.appId, "http://schemas.microsoft.com/identity/claims/objectidentifier": o.objectId, ipaddr: o.ip };
    if (o.upn) claims["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"] = o.caller;
    const method = o.op.endsWith("/delete") ? "DELETE" : o.op.endsWith("/action") ? "POST" : "PUT";
    const base = {
      authorization: { action: o.op, scope: o.resourceId },
      caller: o.caller,
      channels: "Operation",
      claims,
      correlationId,
      category: { value: "Administrative", localizedValue: "Administrative" },
      level: "Informational",
      operationName: { value: o.op, localizedValue: o.op },
      resourceGroupName: rg,
      resourceProviderName: { value: provider, localizedValue: provider },
      resourceType: { value: o.op.split("/").slice(0, -1).join("/"), localizedValue: "" },
      resourceId: o.resourceId,
      subscriptionId: sub,
      tenantId,
      httpRequest: { clientRequestId: rng.uuid(), clientIpAddress: o.ip, method },
    };
    const ids: string[] = [];
    const startedId = rng.uuid();
    const t0 = o.time;
    events.push({
      ...base,
      eventDataId: startedId,
      id: `${o.resourceId}/events/${startedId}/ticks/${t0 * 10_000 + 621_355_968_000_000_000}`,
      eventName: { value: "BeginRequest", localizedValue: "Begin request" },
      status: { value: "Started", localizedValue: "Started" },
      subStatus: { value: "", localizedValue: "" },
      eventTimestamp: iso(t0),
      submissionTimestamp: iso(t0 + rng.int(20, 240) * 1000),
      properties: { eventCategory: "Administrative", entity: o.resourceId, message: o.op, ...(o.requestBody ? { requestbody: JSON.stringify(o.requestBody) } : {}) },
    });
    ids.push(startedId);
    const endId = rng.uuid();
    const t1 = t0 + rng.int(1, 45) * 1000;
    const code = o.failed ? "Conflict" : method === "DELETE" ? "OK" : method === "POST" ? "OK" : rng.chance(0.3) ? "Created" : "OK";
    events.push({
      ...base,
      eventDataId: endId,
      id: `${o.resourceId}/events/${endId}/ticks/${t1 * 10_000 + 621_355_968_000_000_000}`,
      eventName: { value: "EndRequest", localizedValue: "End request" },
      status: { value: o.failed ? "Failed" : "Succeeded", localizedValue: o.failed ? "Failed" : "Succeeded" },
      subStatus: { value: code, localizedValue: code },
      eventTimestamp: iso(t1),
      submissionTimestamp: iso(t1 + rng.int(20, 240) * 1000),
      properties: { statusCode: code, serviceRequestId: rng.uuid(), eventCategory: "Administrative", entity: o.resourceId, message: o.op },
    });
    ids.push(endId);
    if (o.planted) anomalous.push(...ids);
    return endId;
  };

  const personIp = (p: Person, wfh: boolean) => `${wfh ? (rng.chance(0.5) ? p.home : vpn) : office}.${rng.int(2, 250)}`;
  const changeBy = (p: Person, t: Target, time: number, wfh: boolean, opts: { spec?: OpSpec; planted?: boolean; ok?: boolean; ip?: string; app?: string; body?: unknown; child?: string } = {}) => {
    const spec = opts.spec ?? weighted(rng, OPS[t.type]);
    const child = opts.child ?? spec.child?.(rng);
    return emit({
      caller: p.caller,
      objectId: p.objectId,
      appId: opts.app ?? rng.pick(p.apps),
      ip: opts.ip ?? personIp(p, wfh),
      op: spec.op,
      resourceId: child ? `${t.id}/${child}` : t.id,
      time,
      failed: !opts.planted && !opts.ok && rng.chance(0.03),
      requestBody: opts.body,
      planted: opts.planted,
      upn: true,
    });
  };

  // ---- normal work of people
  const dayStart = (d: number) => {
    const t = start + d * 24 * HOUR;
    const lp = local(t, tz);
    return { y: lp.year, m: lp.month, day: lp.day, weekday: lp.weekday };
  };
  for (let d = 0; d < input.days; d++) {
    const ds = dayStart(d);
    const weekend = ds.weekday === 0 || ds.weekday === 6;
    const onCallWeek = Math.floor(d / 7) % 2 === 0;
    for (const p of people) {
      const wfh = rng.chance(0.35);
      const mine = targets.filter((t) => p.rgs.has(t.rg));
      const usual = mine.filter((t) => matchesRole(t.type, p.role));
      if (!usual.length) continue;
      if (!weekend && !p.daysOff.has(d)) {
        const n = weightedInt(rng, [2, 3, 4, 4, 3, 2, 1]);
        for (let i = 0; i < n; i++) {
          const t = rng.chance(0.04) && mine.length ? rng.pick(mine) : rng.pick(usual);
          const time = wall(ds, p.start, p.end, rng, tz);
          if (time < now) changeBy(p, t, time, wfh);
        }
        // Occasional tag clean-up on anything in their groups.
        if (rng.chance(0.08)) {
          const t = rng.pick(mine);
          const time = wall(ds, p.start, p.end, rng, tz);
          if (time < now)
            emit({ caller: p.caller, objectId: p.objectId, appId: APPS.portal, ip: personIp(p, wfh), op: "Microsoft.Resources/tags/write", resourceId: `${t.id}/providers/Microsoft.Resources/tags/default`, time, upn: true });
        }
        // Security role: role assignments in their groups.
        if (p.role === "security" && rng.chance(0.35)) {
          const t = rng.pick(mine);
          const time = wall(ds, p.start, p.end, rng, tz);
          if (time < now)
            emit({ caller: p.caller, objectId: p.objectId, appId: rng.pick(p.apps), ip: personIp(p, wfh), op: "Microsoft.Authorization/roleAssignments/write", resourceId: `${t.rgId}/providers/Microsoft.Authorization/roleAssignments/${rng.uuid()}`, time, upn: true });
        }
      }
      // On call: evenings and weekends, every other week.
      if (p.onCall && onCallWeek && rng.chance(weekend ? 0.5 : 0.3)) {
        const time = wall(ds, weekend ? 10 : 19, weekend ? 22 : 24, rng, tz);
        if (time < now) changeBy(p, rng.pick(usual), time, true);
      }
    }
  }

  // ---- pipelines and automation
  const pipe = (name: string) => ({ caller: rng.uuid(), objectId: "", appId: rng.uuid(), ips: [`20.${rng.int(40, 120)}.${rng.int(1, 254)}`, `52.${rng.int(100, 250)}.${rng.int(1, 254)}`], name });
  const prodPipe = pipe("release-prod");
  const devPipe = pipe("ci-nonprod");
  const backup = pipe("snapshot-rotation");
  const policyMi = pipe("policy-remediation");
  for (const s of [prodPipe, devPipe, backup, policyMi]) s.objectId = s.caller;
  const deployable = (t: Target) => /web\/sites$|serverfarms|storageaccounts|servers\/databases|managedclusters|insights\/components|servicebus|documentdb/.test(t.type);
  const prodRgs = [...byRg].filter(([, ts]) => ts[0].env === "production" && ts.some(deployable)).map(([rg]) => rg);
  const devRgs = [...byRg].filter(([, ts]) => ts[0].env !== "production" && ts.some(deployable)).map(([rg]) => rg);
  const deploy = (s: typeof prodPipe, rg: string, time: number, label: string) => {
    const ts = (byRg.get(rg) ?? []).filter(deployable);
    if (!ts.length) return;
    const correlationId = rng.uuid();
    const ip = `${rng.pick(s.ips)}.${rng.int(2, 250)}`;
    emit({ caller: s.caller, objectId: s.objectId, appId: s.appId, ip, op: "Microsoft.Resources/deployments/write", resourceId: `${ts[0].rgId}/providers/Microsoft.Resources/deployments/${label}`, time, correlationId });
    for (const t of shuffle(rng, ts).slice(0, rng.int(2, 5))) {
      const spec = OPS[t.type].find((o) => o.op.endsWith("/write") && !o.child) ?? OPS[t.type][0];
      emit({ caller: s.caller, objectId: s.objectId, appId: s.appId, ip, op: spec.op, resourceId: t.id, time: time + rng.int(10, 180) * 1000, correlationId });
    }
  };
  const snapshots: { id: string; t: number }[] = [];
  const vms = targets.filter((t) => t.type === "microsoft.compute/virtualmachines");
  for (let d = 0; d < input.days; d++) {
    const ds = dayStart(d);
    const weekend = ds.weekday === 0 || ds.weekday === 6;
    if (!weekend && prodRgs.length)
      for (let i = 0; i < rng.int(1, 3); i++) {
        const time = wall(ds, 10, 16, rng, tz);
        if (time < now) deploy(prodPipe, rng.pick(prodRgs), time, `release-${ds.y}${pad(ds.m)}${pad(ds.day)}-${i + 1}`);
      }
    if (devRgs.length)
      for (let i = 0; i < (weekend ? rng.int(0, 1) : rng.int(3, 7)); i++) {
        const time = wall(ds, 6, 22, rng, tz);
        if (time < now) deploy(devPipe, rng.pick(devRgs), time, `ci-${rng.hex(8)}`);
      }
    // Nightly snapshots of a few VMs; snapshots older than a week are deleted.
    const night = wall(ds, 1, 2, rng, tz);
    if (night < now && vms.length) {
      const ip = `${backup.ips[0]}.${rng.int(2, 250)}`;
      for (const vm of shuffle(rng, vms).slice(0, Math.min(6, vms.length))) {
        const id = `${vm.rgId}/providers/Microsoft.Compute/snapshots/${vm.id.split("/").pop()}-snap-${ds.y}${pad(ds.m)}${pad(ds.day)}`;
        emit({ caller: backup.caller, objectId: backup.objectId, appId: backup.appId, ip, op: "Microsoft.Compute/snapshots/write", resourceId: id, time: night + rng.int(0, 20) * MIN });
        snapshots.push({ id, t: night });
      }
      for (const s of snapshots.filter((x) => night - x.t >= 7 * 24 * HOUR)) {
        emit({ caller: backup.caller, objectId: backup.objectId, appId: backup.appId, ip, op: "Microsoft.Compute/snapshots/delete", resourceId: s.id, time: night + rng.int(20, 40) * MIN });
        snapshots.splice(snapshots.indexOf(s), 1);
      }
    }
    // Policy remediation (deployIfNotExists) at any hour.
    for (let i = 0; i < rng.int(0, 2); i++) {
      const t = rng.pick(targets);
      const time = wall(ds, 0, 24, rng, tz);
      if (time < now)
        emit({ caller: policyMi.caller, objectId: policyMi.objectId, appId: policyMi.appId, ip: `${policyMi.ips[1]}.${rng.int(2, 250)}`, op: "Microsoft.Insights/diagnosticSettings/write", resourceId: `${t.id}/providers/Microsoft.Insights/diagnosticSettings/send-to-law`, time });
    }
  }

  // ---- planted anomalies, in the last week
  const recentDay = (weekdayOnly: boolean) => {
    for (let tries = 0; tries < 20; tries++) {
      const d = input.days - 1 - rng.int(0, 5);
      const ds = dayStart(d);
      if (!weekdayOnly || (ds.weekday !== 0 && ds.weekday !== 6)) return ds;
    }
    return dayStart(input.days - 2);
  };
  const rootCause: Record<string, string> = {};
  const statusChangeDates: Record<string, string> = {};
  const unhealthyByResource = group(input.unhealthy, (u) => u.resourceId.toLowerCase());
  const prodNsgs = targets.filter((t) => t.type === "microsoft.network/networksecuritygroups" && t.env === "production");
  const devs = people.filter((p) => p.role === "developer");
  const linkFindings = (resourceId: string, time: number, eventId: string) => {
    if (!eventId) return;
    for (const u of unhealthyByResource.get(resourceId.toLowerCase()) ?? []) {
      if (statusChangeDates[u.assessmentId]) continue;
      statusChangeDates[u.assessmentId] = iso(Math.min(now - MIN, time + rng.int(10, 150) * MIN));
      rootCause[u.assessmentId] = eventId;
    }
  };

  // A. A developer opens a management port on a production NSG late in the evening.
  if (devs.length && prodNsgs.length) {
    const p = rng.pick(devs);
    // Prefer an NSG in front of a VM with an open finding (or with a finding itself): the edit explains it.
    const behind = new Map<string, string[]>();
    for (const [vm, nsgs] of nsgsFiltering(input.resources)) for (const n of nsgs) behind.set(n, [...(behind.get(n) ?? []), vm]);
    const nsg =
      prodNsgs.find((t) => (behind.get(t.id.toLowerCase()) ?? []).some((vm) => unhealthyByResource.has(vm))) ??
      prodNsgs.find((t) => unhealthyByResource.has(t.id.toLowerCase())) ??
      rng.pick(prodNsgs);
    const ds = recentDay(true);
    const time = wall(ds, 22, 24, rng, tz);
    const port = rng.pick(["3389", "22"]);
    const rule = `allow-${port === "22" ? "ssh" : "rdp"}-temp`;
    const body = { name: rule, properties: { protocol: "Tcp", sourcePortRange: "*", destinationPortRange: port, sourceAddressPrefix: "*", destinationAddressPrefix: "*", access: "Allow", priority: 110, direction: "Inbound" } };
    const id = changeBy(p, nsg, time, true, { spec: OPS[nsg.type][0], child: `securityRules/${rule}`, planted: true, body });
    linkFindings(nsg.id, time, id);
    for (const vm of behind.get(nsg.id.toLowerCase()) ?? []) linkFindings(vm, time, id);
  }
  // B. Someone outside the security team grants Owner on a production resource group (first time).
  const nonSec = people.filter((p) => p.role !== "security");
  const prodRgIds = [...new Set(targets.filter((t) => t.env === "production").map((t) => t.rgId))];
  if (nonSec.length && prodRgIds.length) {
    const p = rng.pick(nonSec);
    const ds = recentDay(true);
    emit({ caller: p.caller, objectId: p.objectId, appId: rng.pick(p.apps), ip: personIp(p, false), op: "Microsoft.Authorization/roleAssignments/write", resourceId: `${rng.pick(prodRgIds)}/providers/Microsoft.Authorization/roleAssignments/${rng.uuid()}`, time: wall(ds, p.start + 1, p.end - 1, rng, tz), planted: true, upn: true });
  }
  // C. Mass delete: an engineer deletes a resource group's worth of resources in minutes.
  const sre = people.filter((p) => p.role === "sre" || p.role === "developer");
  const rgsWithMany = [...byRg].filter(([, ts]) => ts.length >= 6).map(([rg]) => rg);
  if (sre.length && rgsWithMany.length) {
    const p = rng.pick(sre);
    const rg = rng.pick(rgsWithMany);
    const ds = recentDay(true);
    let time = wall(ds, p.start + 1, p.end - 1, rng, tz);
    for (const t of shuffle(rng, byRg.get(rg) ?? []).slice(0, rng.int(6, 12))) {
      emit({ caller: p.caller, objectId: p.objectId, appId: APPS.cli, ip: personIp(p, false), op: `${opPrefix(t.id)}/delete`, resourceId: t.id, time, planted: true, upn: true });
      time += rng.int(20, 150) * 1000;
    }
  }
  // D. Stolen credentials: a user's identity from an unknown network and app, at night, reading keys and opening a vault.
  const victims = people.filter((p) => p.role !== "security");
  const prodStorage = targets.filter((t) => t.env === "production" && t.type === "microsoft.storage/storageaccounts");
  const prodVaults = targets.filter((t) => t.env === "production" && t.type === "microsoft.keyvault/vaults");
  if (victims.length && (prodStorage.length || prodVaults.length)) {
    const p = rng.pick(victims);
    const ds = recentDay(false);
    let time = wall(ds, 2, 5, rng, tz);
    const ip = `185.${rng.int(100, 250)}.${rng.int(1, 254)}.${rng.int(2, 250)}`;
    const app = rng.uuid();
    for (const t of shuffle(rng, prodStorage).slice(0, 3)) {
      changeBy(p, t, time, true, { spec: { op: "Microsoft.Storage/storageAccounts/listKeys/action", w: 1 }, planted: true, ip, app });
      time += rng.int(1, 6) * MIN;
    }
    if (prodVaults.length) changeBy(p, rng.pick(prodVaults), time, true, { spec: OPS["microsoft.keyvault/vaults"][2], child: "accessPolicies/add", planted: true, ip, app });
  }
  // E. The production release pipeline writes a Key Vault access policy on a Sunday night (out of pattern).
  if (prodVaults.length && rng.chance(0.8)) {
    let ds = recentDay(false);
    for (let i = 0; i < 12 && ds.weekday !== 0 && ds.weekday !== 6; i++) ds = dayStart(input.days - 1 - rng.int(0, 5));
    const time = wall(ds, 0, 5, rng, tz);
    emit({ caller: prodPipe.caller, objectId: prodPipe.objectId, appId: prodPipe.appId, ip: `${prodPipe.ips[0]}.${rng.int(2, 250)}`, op: "Microsoft.KeyVault/vaults/accessPolicies/write", resourceId: `${rng.pick(prodVaults).id}/accessPolicies/add`, time, planted: true });
  }
  // F. A daytime change from an unknown network with a tool the person never used.
  if (rng.chance(0.6)) {
    const p = rng.pick(people);
    const mine = targets.filter((t) => p.rgs.has(t.rg) && matchesRole(t.type, p.role));
    if (mine.length) {
      const ds = recentDay(true);
      changeBy(p, rng.pick(mine), wall(ds, p.start + 1, p.end - 1, rng, tz), false, { planted: true, ip: `45.${rng.int(1, 250)}.${rng.int(1, 254)}.${rng.int(2, 250)}`, app: rng.uuid() });
    }
  }

  // ---- root causes for part of the unhealthy findings: a normal-looking write by a usual changer shortly before.
  const known = new Map(targets.map((t) => [t.id.toLowerCase(), t]));
  const candidates = shuffle(rng, input.unhealthy.filter((u) => known.has(u.resourceId.toLowerCase()) && !statusChangeDates[u.assessmentId]));
  const plantCount = Math.min(40, Math.round(candidates.length * 0.45));
  const causedResources = new Set<string>();
  for (const u of candidates.slice(0, plantCount)) {
    const t = known.get(u.resourceId.toLowerCase()) as Target;
    if (causedResources.has(t.id.toLowerCase())) {
      // Another finding on the same resource: the same write caused it, a little later or earlier.
      continue;
    }
    const owners = people.filter((p) => p.rgs.has(t.rg) && matchesRole(t.type, p.role));
    const d = rng.int(1, input.days - 2);
    const ds = dayStart(d);
    let time: number;
    let eventId: string;
    const spec = OPS[t.type].find((o) => o.op.endsWith("/write") && !o.child) ?? OPS[t.type].find((o) => o.op.endsWith("/write")) ?? OPS[t.type][0];
    if (owners.length && !(ds.weekday === 0 || ds.weekday === 6)) {
      const p = rng.pick(owners);
      time = wall(ds, p.start, p.end, rng, tz);
      const earlier = dayStart(Math.max(0, d - rng.int(1, 3)));
      if (rng.chance(0.4) && earlier.weekday !== 0 && earlier.weekday !== 6) {
        // Distractor: an older write to the same resource a few working days earlier.
        changeBy(p, t, wall(earlier, p.start, p.end, rng, tz), false, { spec });
      }
      eventId = changeBy(p, t, time, rng.chance(0.3), { spec, child: spec.child?.(rng), ok: true });
    } else {
      const s = t.env === "production" ? prodPipe : devPipe;
      time = wall(ds, 10, 16, rng, tz);
      const correlationId = rng.uuid();
      const ip = `${s.ips[0]}.${rng.int(2, 250)}`;
      emit({ caller: s.caller, objectId: s.objectId, appId: s.appId, ip, op: "Microsoft.Resources/deployments/write", resourceId: `${t.rgId}/providers/Microsoft.Resources/deployments/${s.name}-${rng.hex(6)}`, time, correlationId });
      eventId = emit({ caller: s.caller, objectId: s.objectId, appId: s.appId, ip, op: spec.op, resourceId: t.id, time: time + rng.int(10, 120) * 1000, correlationId });
    }
    if (!eventId || time >= now - 2 * HOUR) continue;
    causedResources.add(t.id.toLowerCase());
    const lag = rng.chance(0.75) ? rng.int(5, 180) * MIN : rng.int(3, 10) * HOUR;
    const changed = Math.min(now - MIN, time + lag);
    for (const v of unhealthyByResource.get(t.id.toLowerCase()) ?? []) {
      if (statusChangeDates[v.assessmentId]) continue;
      statusChangeDates[v.assessmentId] = iso(changed + rng.int(0, 10) * MIN);
      rootCause[v.assessmentId] = eventId;
    }
    // Distractors after the cause: a key listing or restart before the status change, a tag edit after it.
    if (rng.chance(0.3) && owners.length) {
      const extra = t.type === "microsoft.storage/storageaccounts" ? "Microsoft.Storage/storageAccounts/listKeys/action" : t.type === "microsoft.web/sites" ? "Microsoft.Web/sites/restart/action" : undefined;
      if (extra) changeBy(rng.pick(owners), t, time + Math.floor((changed - time) / 2), false, { spec: { op: extra, w: 1 } });
    }
    if (rng.chance(0.3) && owners.length) {
      // The owner tags the resource on the next working day.
      const p = rng.pick(owners);
      const next = Math.ceil((changed - start) / (24 * HOUR));
      const nd = next < input.days ? dayStart(next) : undefined;
      const tagTime = nd && nd.weekday !== 0 && nd.weekday !== 6 ? wall(nd, p.start, p.end, rng, tz) : Number.POSITIVE_INFINITY;
      if (tagTime > changed && tagTime < now)
        emit({ caller: p.caller, objectId: p.objectId, appId: APPS.portal, ip: personIp(p, false), op: "Microsoft.Resources/tags/write", resourceId: `${t.id}/providers/Microsoft.Resources/tags/default`, time: tagTime, upn: true });
    }
  }
  // Everything else turned unhealthy long ago (when first assessed) or without a logged change.
  for (const u of input.unhealthy) {
    if (statusChangeDates[u.assessmentId]) continue;
    statusChangeDates[u.assessmentId] = rng.chance(0.8) ? iso(start - rng.int(5, 170) * 24 * HOUR - rng.int(0, 23) * HOUR) : iso(start + rng.next() * (now - start));
  }

  // Azure returns newest first.
  events.sort((a, b) => String(b.eventTimestamp).localeCompare(String(a.eventTimestamp)));
  return { events, statusChangeDates, truth: { anomalousEventIds: anomalous, rootCause } };
}

// ---------------------------------------------------------------- helpers

function envOf(r: ArmResource): Env {
  for (const [k, v] of Object.entries(r.tags ?? {})) {
    if (!v || !/^(env|environment)$/i.test(k)) continue;
    const x = v.toLowerCase();
    if (/^(prod|prd|production)$/.test(x)) return "production";
    if (/^(shared|corp)$/.test(x)) return "shared";
    if (/^(dev|test|qa|development|staging|uat)$/.test(x)) return "development";
  }
  const n = `${r.resourceGroup ?? ""} ${r.name}`.toLowerCase();
  if (/(^|[^a-z])(prd|prod)([^a-z]|$)/.test(n)) return "production";
  if (/(^|[^a-z])(dev|test|sandbox)([^a-z]|$)/.test(n)) return "development";
  return "shared";
}

function matchesRole(type: string, role: Role): boolean {
  return ROLE_TYPES[role].some((k) => type.includes(k));
}

function opPrefix(resourceId: string): string {
  const i = resourceId.indexOf("/providers/");
  const parts = resourceId.slice(i + 11).split("/");
  const segs = [parts[0]];
  for (let j = 1; j < parts.length; j += 2) segs.push(parts[j]);
  return segs.join("/");
}

function group<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

function shuffle<T>(rng: Rng, items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function weighted<T extends { w: number }>(rng: Rng, items: T[]): T {
  const total = items.reduce((s, x) => s + x.w, 0);
  let r = rng.next() * total;
  for (const x of items) {
    r -= x.w;
    if (r < 0) return x;
  }
  return items[items.length - 1];
}

/** Index drawn with the given weights. */
function weightedInt(rng: Rng, weights: number[]): number {
  return weighted(rng, weights.map((w, i) => ({ w, i }))).i;
}

function iso(t: number): string {
  return new Date(t).toISOString();
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

const fmt = new Map<string, Intl.DateTimeFormat>();
function local(t: number, tz: string): { year: number; month: number; day: number; hour: number; minute: number; weekday: number } {
  let f = fmt.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", weekday: "short" });
    fmt.set(tz, f);
  }
  const o: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(t))) o[p.type] = p.value;
  return { year: +o.year, month: +o.month, day: +o.day, hour: +o.hour % 24, minute: +o.minute, weekday: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(o.weekday) };
}

/** A random instant between local hours `from` and `to` (may be 24) on a local day, in the zone. */
function wall(ds: { y: number; m: number; day: number }, from: number, to: number, rng: Rng, tz: string): number {
  const minutes = Math.floor(from * 60 + rng.next() * Math.max(1, (to - from) * 60));
  const guess = Date.UTC(ds.y, ds.m - 1, ds.day, 0, 0) + minutes * MIN;
  // Shift by the zone's offset at that instant (twice, for DST edges).
  let t = guess;
  for (let i = 0; i < 2; i++) {
    const lp = local(t, tz);
    const shown = Date.UTC(lp.year, lp.month - 1, lp.day, lp.hour, lp.minute);
    t -= shown - guess;
  }
  return t + Math.floor(rng.next() * 60) * 1000;
}
