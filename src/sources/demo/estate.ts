import type { ArmResource } from "../../domain/resource";
import { DOMAIN, type EnvKey, PEOPLE, type RgPlan, ROLES, SUBSCRIPTIONS, type SubscriptionPlan } from "./catalog";
import { createRng, type Rng, subSeed } from "./rng";

/**
 * Generates the Fabrikam estate: subscriptions, resource groups and resources with the property shapes
 * Azure Resource Graph returns. Security settings vary with each subscription's sloppiness, so Defender
 * findings later follow from these properties, and a few risky configurations are planted on purpose
 * (documented in `PLANTED`).
 */
export interface Estate {
  tenantId: string;
  containers: ArmResource[];
  resources: ArmResource[];
  authorization: ArmResource[];
  pricings: ArmResource[];
  /** Ids of the planted risky resources, by role, for tests and the attack-path demo. */
  planted: Record<string, string>;
}

export const PLANTED_NAMES = {
  jumpVm: "vm-jump-prd-01",
  paymentsVault: "kv-payments-prd",
  checkoutStorage: "stcheckoutprd",
  buildVm: "vm-build-dev-01",
  paymentsSql: "sql-payments-prd",
} as const;

interface Ctx {
  rng: Rng;
  tenantId: string;
  sub: SubscriptionPlan;
  subId: string;
  suffix: string;
  unit: number;
  location: string;
  out: ArmResource[];
  auth: ArmResource[];
  vnetId?: string;
  subnets: Record<string, string>;
  principals: { id: string; name: string; type: "User" | "ServicePrincipal" | "Group" }[];
}

const ENV_SUFFIX: Record<EnvKey, string> = { prod: "prd", dev: "dev", corp: "corp" };

export function generateEstate(seed: number, unit = 0): Estate {
  const rng = createRng(subSeed(seed, `estate-${unit}`));
  const tenantId = createRng(subSeed(seed, "tenant")).uuid();
  const containers: ArmResource[] = [];
  const resources: ArmResource[] = [];
  const authorization: ArmResource[] = [];
  const pricings: ArmResource[] = [];
  const planted: Record<string, string> = {};
  const unitTag = unit === 0 ? "" : `-u${unit}`;

  for (const sub of SUBSCRIPTIONS) {
    const subId = createRng(subSeed(seed, `sub-${sub.key}-${unit}`)).uuid();
    const subTags = { ...sub.tags };
    containers.push({
      id: `/subscriptions/${subId}`,
      name: subId,
      type: "microsoft.resources/subscriptions",
      tenantId,
      location: "",
      resourceGroup: "",
      subscriptionId: subId,
      tags: subTags,
      properties: {
        displayName: unit === 0 ? sub.displayName : `${sub.displayName} ${unit + 1}`,
        state: "Enabled",
        subscriptionPolicies: { locationPlacementId: "Public_2014-09-01", quotaId: "EnterpriseAgreement_2014-09-01", spendingLimit: "Off" },
      },
    });
    const ctx: Ctx = {
      rng,
      tenantId,
      sub,
      subId,
      suffix: ENV_SUFFIX[sub.key],
      unit,
      location: sub.key === "corp" ? "northeurope" : "westeurope",
      out: resources,
      auth: authorization,
      subnets: {},
      principals: [],
    };
    // Subscription-level role assignments: owners (some external), contributors, pipelines.
    const owners = sub.key === "dev" ? 1 : sub.key === "prod" ? 4 : 2;
    for (let i = 0; i < owners; i++) addRole(ctx, `/subscriptions/${subId}`, "Owner", person(ctx, i + (sub.key === "corp" ? 5 : 0)), "User");
    if (sub.key === "prod") addRole(ctx, `/subscriptions/${subId}`, "Owner", `vendor.admin_contoso.example#EXT#@${DOMAIN}`, "User");
    addRole(ctx, `/subscriptions/${subId}`, "Contributor", `sp-deploy-${ctx.suffix}`, "ServicePrincipal");
    addRole(ctx, `/subscriptions/${subId}`, "Reader", `secops@${DOMAIN}`, "Group");

    for (const rgPlan of sub.rgs) {
      const rgName = `${rgPlan.name}${unitTag}`;
      const rgTags = rgTagsFor(ctx, rgPlan);
      containers.push({
        id: `/subscriptions/${subId}/resourceGroups/${rgName}`,
        name: rgName,
        type: "microsoft.resources/subscriptions/resourcegroups",
        tenantId,
        location: ctx.location,
        resourceGroup: rgName,
        subscriptionId: subId,
        tags: rgTags,
        properties: { provisioningState: "Succeeded" },
      });
      buildWorkload(ctx, rgPlan, rgName, planted);
    }

    for (const [plan, tierIfCareful] of [
      ["VirtualMachines", "Standard"],
      ["SqlServers", "Standard"],
      ["AppServices", "Standard"],
      ["StorageAccounts", "Standard"],
      ["KeyVaults", "Standard"],
      ["Containers", "Standard"],
      ["CosmosDbs", "Standard"],
      ["Arm", "Standard"],
      ["CloudPosture", "Standard"],
    ] as const) {
      const free = sub.key === "dev" ? rng.chance(0.7) : sub.key === "corp" ? rng.chance(0.35) : rng.chance(0.1);
      pricings.push({
        id: `/subscriptions/${subId}/providers/Microsoft.Security/pricings/${plan}`,
        name: plan,
        type: "microsoft.security/pricings",
        tenantId,
        location: "",
        resourceGroup: "",
        subscriptionId: subId,
        properties: { pricingTier: free ? "Free" : tierIfCareful, freeTrialRemainingTime: "PT0S", enablementTime: "2025-06-01T00:00:00Z" },
      });
    }
  }
  return { tenantId, containers, resources, authorization, pricings, planted };
}

function person(ctx: Ctx, i: number): string {
  return PEOPLE[i % PEOPLE.length];
}

function rgTagsFor(ctx: Ctx, rg: RgPlan): Record<string, string> {
  const t: Record<string, string> = {};
  const envSpellings: Record<EnvKey, string[]> = { prod: ["Production", "prod", "PRD", "production"], dev: ["Dev", "development", "dev", "DEV"], corp: ["Shared", "shared", "corp"] };
  t[ctx.rng.pick(["environment", "Environment", "env"])] = ctx.rng.pick(envSpellings[ctx.sub.key]);
  if (rg.owner) t[ctx.rng.pick(["owner", "Owner"])] = rg.owner;
  t.application = rg.app;
  if (ctx.rng.chance(0.8)) t[ctx.rng.pick(["costCenter", "CostCenter", "cost-center"])] = `CC-${1000 + ctx.rng.int(0, 80) * 5}`;
  if (rg.dataClassification) t.dataClassification = rg.dataClassification;
  if (rg.criticality) t.criticality = rg.criticality;
  return t;
}

/** Resource tags: sometimes complete, often partial, with inconsistent key casing — as real estates are. */
function resTags(ctx: Ctx, rg: RgPlan, extra: Record<string, string> = {}): Record<string, string> {
  const t: Record<string, string> = {};
  const r = ctx.rng;
  if (r.chance(0.7)) t[r.pick(["environment", "Environment", "env", "Env"])] = r.pick(
    ctx.sub.key === "prod" ? ["Production", "prod", "PRD"] : ctx.sub.key === "dev" ? ["Dev", "dev", "Development", "test"] : ["Shared", "shared"],
  );
  if (rg.owner && !rg.ownerOnRgOnly && r.chance(0.55)) t[r.pick(["owner", "Owner", "owner-email"])] = rg.owner;
  if (r.chance(0.75)) t[r.pick(["application", "app", "Application"])] = rg.app;
  if (r.chance(0.5)) t[r.pick(["costCenter", "CostCenter", "costcenter"])] = `CC-${1000 + r.int(0, 80) * 5}`;
  if (rg.criticality && r.chance(0.6)) t.criticality = rg.criticality;
  return { ...t, ...extra };
}

function base(ctx: Ctx, rg: string, type: string, name: string, extra: Partial<ArmResource> = {}): ArmResource {
  const provider = type.split("/")[0];
  const rest = type.split("/").slice(1);
  const segs = name.split("/");
  const path = rest.map((t, i) => `${t}/${segs[i]}`).join("/");
  return {
    id: `/subscriptions/${ctx.subId}/resourceGroups/${rg}/providers/${provider}/${path}`,
    name,
    type: type.toLowerCase(),
    tenantId: ctx.tenantId,
    location: ctx.location,
    resourceGroup: rg,
    subscriptionId: ctx.subId,
    kind: null,
    managedBy: null,
    sku: null,
    identity: null,
    zones: null,
    tags: {},
    properties: {},
    ...extra,
  };
}

function add(ctx: Ctx, r: ArmResource): ArmResource {
  ctx.out.push(r);
  return r;
}

/** True when this setting is left unsafe (depends on the subscription's sloppiness). */
function sloppy(ctx: Ctx, factor = 1): boolean {
  return ctx.rng.chance(Math.min(0.95, ctx.sub.sloppiness * factor));
}

function addRole(ctx: Ctx, scope: string, role: keyof typeof ROLES, principalName: string, principalType: "User" | "ServicePrincipal" | "Group", principalId?: string): void {
  const id = createRng(subSeed(ctx.auth.length + 7, `${scope}|${role}|${principalName}`)).uuid();
  ctx.auth.push({
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${id}`,
    name: id,
    type: "microsoft.authorization/roleassignments",
    tenantId: ctx.tenantId,
    location: "",
    resourceGroup: scope.split("/")[4] ?? "",
    subscriptionId: ctx.subId,
    properties: {
      roleDefinitionId: `/subscriptions/${ctx.subId}/providers/Microsoft.Authorization/roleDefinitions/${ROLES[role]}`,
      principalId: principalId ?? createRng(subSeed(0, principalName)).uuid(),
      principalType,
      scope,
      createdOn: "2025-03-14T09:12:00Z",
      updatedOn: "2025-03-14T09:12:00Z",
      createdBy: createRng(subSeed(1, "creator")).uuid(),
      // Clarion-only hint kept beside the real fields: the principal's display name, for explanations.
      principalName,
    },
  });
}

function buildWorkload(ctx: Ctx, rg: RgPlan, rgName: string, planted: Record<string, string>): void {
  switch (rg.workload) {
    case "hub":
      return buildHub(ctx, rg, rgName);
    case "web":
      return buildWeb(ctx, rg, rgName, planted);
    case "vm":
      return buildVms(ctx, rg, rgName, rg.vmCount ?? 2, "app", planted);
    case "jump":
      return buildVms(ctx, rg, rgName, rg.vmCount ?? 1, "jump", planted);
    case "aks":
      return buildAks(ctx, rg, rgName);
    case "data":
      return buildData(ctx, rg, rgName, planted);
    case "monitor":
      return buildMonitor(ctx, rg, rgName);
    case "identity":
      return buildIdentity(ctx, rg, rgName);
  }
}

/** A globally-unique-style name (storage, registries): the distinguishing part first, the environment last. */
function shortName(ctx: Ctx, base: string): string {
  const tail = `${ctx.suffix}${ctx.unit ? ctx.unit : ""}`;
  return `${base.replace(/[^a-z0-9]/g, "").slice(0, 24 - tail.length)}${tail}`;
}

function nameFor(ctx: Ctx, kind: string, app: string, n?: number): string {
  const u = ctx.unit ? `-u${ctx.unit}` : "";
  return `${kind}-${app}-${ctx.suffix}${u}${n !== undefined ? `-${String(n).padStart(2, "0")}` : ""}`;
}

// ---------------------------------------------------------------------------------------------------------
// Network hub: a VNet with subnets, one NSG per subnet (one subnet left without), public IPs and a load balancer.

const DEFAULT_RULES = [
  ["AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork", "VirtualNetwork"],
  ["AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer", "*"],
  ["DenyAllInBound", 65500, "Inbound", "Deny", "*", "*"],
  ["AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork", "VirtualNetwork"],
  ["AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "Internet"],
  ["DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*"],
] as const;

function nsg(ctx: Ctx, rgName: string, name: string, rules: readonly { name: string; priority: number; access: "Allow" | "Deny"; protocol: string; source: string; ports: string | readonly string[] }[], tags: Record<string, string>): ArmResource {
  const r = base(ctx, rgName, "Microsoft.Network/networkSecurityGroups", name, { tags });
  r.properties = {
    provisioningState: "Succeeded",
    resourceGuid: ctx.rng.uuid(),
    securityRules: rules.map((x) => ({
      name: x.name,
      id: `${r.id}/securityRules/${x.name}`,
      type: "Microsoft.Network/networkSecurityGroups/securityRules",
      properties: {
        provisioningState: "Succeeded",
        priority: x.priority,
        direction: "Inbound",
        access: x.access,
        protocol: x.protocol,
        sourcePortRange: "*",
        sourceAddressPrefix: x.source,
        destinationAddressPrefix: "*",
        ...(typeof x.ports === "string" ? { destinationPortRange: x.ports } : { destinationPortRanges: [...x.ports] }),
        sourceAddressPrefixes: [],
        destinationAddressPrefixes: [],
      },
    })),
    defaultSecurityRules: DEFAULT_RULES.map(([n, priority, direction, access, src, dst]) => ({
      name: n,
      id: `${r.id}/defaultSecurityRules/${n}`,
      type: "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
      properties: { priority, direction, access, protocol: "*", sourcePortRange: "*", destinationPortRange: "*", sourceAddressPrefix: src, destinationAddressPrefix: dst, description: "default rule" },
    })),
  };
  return add(ctx, r);
}

function buildHub(ctx: Ctx, rg: RgPlan, rgName: string): void {
  const vnetName = nameFor(ctx, "vnet", "spoke");
  const vnet = base(ctx, rgName, "Microsoft.Network/virtualNetworks", vnetName, { tags: resTags(ctx, rg) });
  const octet = ctx.sub.key === "prod" ? 10 : ctx.sub.key === "dev" ? 20 : 30;
  const subnetDefs = [
    ["snet-web", `10.${octet}.1.0/24`, [{ name: "Allow-HTTPS-Internet", priority: 100, access: "Allow" as const, protocol: "Tcp", source: "Internet", ports: "443" }]],
    ["snet-app", `10.${octet}.2.0/24`, [{ name: "Allow-App-From-Web", priority: 110, access: "Allow" as const, protocol: "Tcp", source: `10.${octet}.1.0/24`, ports: ["8080", "8443"] }]],
    ["snet-data", `10.${octet}.3.0/24`, [{ name: "Allow-Sql-From-App", priority: 120, access: "Allow" as const, protocol: "Tcp", source: `10.${octet}.2.0/24`, ports: "1433" }, { name: "Deny-Internet", priority: 4000, access: "Deny" as const, protocol: "*", source: "Internet", ports: "*" }]],
    ["snet-aks", `10.${octet}.4.0/22`, null],
    ["snet-mgmt", `10.${octet}.8.0/24`, [
      { name: "Allow-SSH-Corp", priority: 100, access: "Allow" as const, protocol: "Tcp", source: "203.0.113.0/24", ports: "22" },
      // Planted: "temporary" openings on the management subnet that were never removed.
      ...(ctx.sub.key === "prod" ? [{ name: "Allow-RDP-Temp", priority: 150, access: "Allow" as const, protocol: "Tcp", source: "*", ports: "3389" }] : []),
      ...(ctx.sub.key === "dev" ? [{ name: "Allow-SSH-Build-Agents", priority: 160, access: "Allow" as const, protocol: "Tcp", source: "Internet", ports: "22" }] : []),
    ]],
  ] as const;
  const subnets = subnetDefs.map(([name, prefix, rules]) => {
    const id = `${vnet.id}/subnets/${name}`;
    ctx.subnets[name] = id;
    let nsgRef: { id: string } | undefined;
    // The AKS subnet is left without an NSG in most subscriptions (a classic finding).
    if (rules || !sloppy(ctx, 1.8)) {
      const g = nsg(ctx, rgName, `nsg-${name.slice(5)}-${ctx.suffix}${ctx.unit ? `-u${ctx.unit}` : ""}`, [...(rules ?? [])], resTags(ctx, rg));
      (g.properties as Record<string, unknown>).subnets = [{ id }];
      nsgRef = { id: g.id };
    }
    return { name, id, type: "Microsoft.Network/virtualNetworks/subnets", properties: { addressPrefix: prefix, provisioningState: "Succeeded", privateEndpointNetworkPolicies: "Disabled", ...(nsgRef ? { networkSecurityGroup: nsgRef } : {}) } };
  });
  vnet.properties = {
    provisioningState: "Succeeded",
    addressSpace: { addressPrefixes: [`10.${octet}.0.0/16`] },
    subnets,
    virtualNetworkPeerings: [],
    enableDdosProtection: ctx.sub.key === "prod" && !sloppy(ctx, 2),
  };
  add(ctx, vnet);
  ctx.vnetId = vnet.id;

  // Public load balancer for the web tier.
  const pip = publicIp(ctx, rgName, nameFor(ctx, "pip", "lb"), resTags(ctx, rg));
  const lb = base(ctx, rgName, "Microsoft.Network/loadBalancers", nameFor(ctx, "lb", "web"), { tags: resTags(ctx, rg), sku: { name: "Standard", tier: "Regional" } });
  lb.properties = {
    provisioningState: "Succeeded",
    frontendIPConfigurations: [{ name: "fe-public", id: `${lb.id}/frontendIPConfigurations/fe-public`, properties: { publicIPAddress: { id: pip.id } } }],
    backendAddressPools: [{ name: "be-web", id: `${lb.id}/backendAddressPools/be-web`, properties: { backendIPConfigurations: [] } }],
    loadBalancingRules: [{ name: "https", id: `${lb.id}/loadBalancingRules/https`, properties: { frontendPort: 443, backendPort: 443, protocol: "Tcp", frontendIPConfiguration: { id: `${lb.id}/frontendIPConfigurations/fe-public` }, backendAddressPool: { id: `${lb.id}/backendAddressPools/be-web` } } }],
  };
  (pip.properties as Record<string, unknown>).ipConfiguration = { id: `${lb.id}/frontendIPConfigurations/fe-public` };
  add(ctx, lb);
  publicIp(ctx, rgName, nameFor(ctx, "pip", "spare"), resTags(ctx, rg));
  const rt = base(ctx, rgName, "Microsoft.Network/routeTables", nameFor(ctx, "rt", "spoke"), { tags: resTags(ctx, rg) });
  rt.properties = { provisioningState: "Succeeded", disableBgpRoutePropagation: true, routes: [{ name: "default-to-firewall", properties: { addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIpAddress: "10.0.0.4" } }] };
  add(ctx, rt);
  const bastionPip = publicIp(ctx, rgName, nameFor(ctx, "pip", "bastion"), resTags(ctx, rg));
  const bastion = base(ctx, rgName, "Microsoft.Network/bastionHosts", nameFor(ctx, "bas", "hub"), { sku: { name: "Standard" }, tags: resTags(ctx, rg) });
  bastion.properties = { provisioningState: "Succeeded", ipConfigurations: [{ name: "IpConf", id: `${bastion.id}/bastionHostIpConfigurations/IpConf`, properties: { publicIPAddress: { id: bastionPip.id }, subnet: { id: `${vnet.id}/subnets/AzureBastionSubnet` } } }] };
  (bastionPip.properties as Record<string, unknown>).ipConfiguration = { id: `${bastion.id}/bastionHostIpConfigurations/IpConf` };
  add(ctx, bastion);
  // Network Watcher, as every region has.
  add(ctx, base(ctx, rgName, "Microsoft.Network/networkWatchers", `NetworkWatcher_${ctx.location}${ctx.unit ? `_u${ctx.unit}` : ""}`, { properties: { provisioningState: "Succeeded" } }));
}

function publicIp(ctx: Ctx, rgName: string, name: string, tags: Record<string, string>): ArmResource {
  const r = base(ctx, rgName, "Microsoft.Network/publicIPAddresses", name, { tags, sku: { name: "Standard", tier: "Regional" } });
  r.properties = {
    provisioningState: "Succeeded",
    ipAddress: `20.${ctx.rng.int(30, 250)}.${ctx.rng.int(0, 255)}.${ctx.rng.int(1, 254)}`,
    publicIPAddressVersion: "IPv4",
    publicIPAllocationMethod: "Static",
    idleTimeoutInMinutes: 4,
  };
  return add(ctx, r);
}

// ---------------------------------------------------------------------------------------------------------
// Web: App Service plan + apps, storage, Key Vault, SQL, Application Insights.

function buildWeb(ctx: Ctx, rg: RgPlan, rgName: string, planted: Record<string, string>): void {
  const plan = base(ctx, rgName, "Microsoft.Web/serverFarms", nameFor(ctx, "asp", rg.app), { kind: "linux", sku: { name: ctx.sub.key === "prod" ? "P1v3" : "B1", tier: ctx.sub.key === "prod" ? "PremiumV3" : "Basic", capacity: 2 }, tags: resTags(ctx, rg) });
  plan.properties = { provisioningState: "Succeeded", reserved: true, numberOfSites: 2, status: "Ready" };
  add(ctx, plan);
  const apps = ctx.sub.key === "prod" ? 2 : 1;
  for (let i = 1; i <= apps; i++) {
    const name = nameFor(ctx, i === 1 ? "app" : "api", rg.app);
    const site = base(ctx, rgName, "Microsoft.Web/sites", name, { kind: "app,linux", tags: resTags(ctx, rg, rg.dataClassification ? { dataClassification: rg.dataClassification } : {}) });
    const hasIdentity = !sloppy(ctx, 0.8);
    if (hasIdentity) site.identity = { type: "SystemAssigned", principalId: ctx.rng.uuid(), tenantId: ctx.tenantId };
    site.properties = {
      state: "Running",
      enabled: true,
      defaultHostName: `${name}.azurewebsites.net`,
      hostNames: [`${name}.azurewebsites.net`],
      httpsOnly: !sloppy(ctx),
      clientCertEnabled: !sloppy(ctx, 1.6),
      publicNetworkAccess: sloppy(ctx, 1.5) ? "Enabled" : "Disabled",
      serverFarmId: plan.id,
      siteConfig: {
        minTlsVersion: sloppy(ctx, 0.8) ? "1.0" : "1.2",
        ftpsState: sloppy(ctx) ? "AllAllowed" : ctx.rng.chance(0.5) ? "Disabled" : "FtpsOnly",
        http20Enabled: !sloppy(ctx),
        remoteDebuggingEnabled: sloppy(ctx, 0.5),
        linuxFxVersion: ctx.rng.pick(["NODE|18-lts", "NODE|20-lts", "DOTNETCORE|8.0", "PYTHON|3.8", "JAVA|17-java17"]),
        alwaysOn: ctx.sub.key === "prod",
        cors: { allowedOrigins: sloppy(ctx, 0.6) ? ["*"] : [`https://www.${DOMAIN}`] },
      },
      vnetRouteAllEnabled: !sloppy(ctx),
    };
    add(ctx, site);
    diag(ctx, site, !sloppy(ctx, 1.2));
  }
  const plantedOpen = rg.app === "checkout" && ctx.sub.key === "prod";
  const st = storage(ctx, rg, rgName, shortName(ctx, `st${rg.app}`), plantedOpen ? { open: true } : {});
  if (plantedOpen && ctx.unit === 0) planted.checkoutStorage = st.id;
  const kv = keyVault(ctx, rg, rgName, nameFor(ctx, "kv", rg.app));
  sqlServer(ctx, rg, rgName, nameFor(ctx, "sql", rg.app), ctx.sub.key === "prod" ? 2 : 1);
  const fn = base(ctx, rgName, "Microsoft.Web/sites", nameFor(ctx, "func", rg.app), { kind: "functionapp,linux", tags: resTags(ctx, rg) });
  fn.properties = {
    state: "Running",
    enabled: true,
    defaultHostName: `${fn.name}.azurewebsites.net`,
    httpsOnly: !sloppy(ctx),
    clientCertEnabled: false,
    publicNetworkAccess: sloppy(ctx, 1.5) ? "Enabled" : "Disabled",
    serverFarmId: plan.id,
    siteConfig: { minTlsVersion: sloppy(ctx, 0.8) ? "1.0" : "1.2", ftpsState: sloppy(ctx) ? "AllAllowed" : "Disabled", http20Enabled: true, remoteDebuggingEnabled: false, linuxFxVersion: "NODE|20", cors: { allowedOrigins: [] } },
  };
  if (!sloppy(ctx)) fn.identity = { type: "SystemAssigned", principalId: ctx.rng.uuid(), tenantId: ctx.tenantId };
  add(ctx, fn);
  const sb = base(ctx, rgName, "Microsoft.ServiceBus/namespaces", nameFor(ctx, "sb", rg.app), { sku: { name: ctx.sub.key === "prod" ? "Premium" : "Standard", tier: ctx.sub.key === "prod" ? "Premium" : "Standard" }, tags: resTags(ctx, rg) });
  sb.properties = { provisioningState: "Succeeded", status: "Active", serviceBusEndpoint: `https://${sb.name}.servicebus.windows.net:443/`, disableLocalAuth: !sloppy(ctx, 1.3), publicNetworkAccess: sloppy(ctx, 1.3) ? "Enabled" : "Disabled", minimumTlsVersion: sloppy(ctx, 0.6) ? "1.0" : "1.2" };
  add(ctx, sb);
  const ai = base(ctx, rgName, "Microsoft.Insights/components", nameFor(ctx, "appi", rg.app), { kind: "web", tags: resTags(ctx, rg) });
  ai.properties = { Application_Type: "web", IngestionMode: "LogAnalytics", publicNetworkAccessForIngestion: "Enabled", DisableLocalAuth: !sloppy(ctx, 1.5) };
  add(ctx, ai);
  void kv;
}

/** A private endpoint (and the NIC Azure creates for it) for a data store whose public access is closed. */
function privateEndpoint(ctx: Ctx, target: ArmResource, groupId: string): void {
  if (!ctx.subnets["snet-data"]) return;
  const rg = target.resourceGroup ?? "";
  const peName = `pe-${target.name}`;
  const pe = base(ctx, rg, "Microsoft.Network/privateEndpoints", peName, { tags: {} });
  const nic = base(ctx, rg, "Microsoft.Network/networkInterfaces", `${peName}.nic.${ctx.rng.hex(8)}`, { tags: {} });
  nic.properties = {
    provisioningState: "Succeeded",
    ipConfigurations: [{ name: "privateEndpointIpConfig", id: `${nic.id}/ipConfigurations/privateEndpointIpConfig`, properties: { privateIPAddress: `10.0.3.${ctx.rng.int(4, 250)}`, privateIPAllocationMethod: "Dynamic", subnet: { id: ctx.subnets["snet-data"] }, primary: true } }],
    privateEndpoint: { id: pe.id },
  };
  pe.properties = {
    provisioningState: "Succeeded",
    subnet: { id: ctx.subnets["snet-data"] },
    networkInterfaces: [{ id: nic.id }],
    privateLinkServiceConnections: [{ name: peName, properties: { privateLinkServiceId: target.id, groupIds: [groupId], privateLinkServiceConnectionState: { status: "Approved" } } }],
  };
  add(ctx, pe);
  add(ctx, nic);
  (target.properties as Record<string, unknown>).privateEndpointConnections = [{ id: `${target.id}/privateEndpointConnections/${peName}`, properties: { privateEndpoint: { id: pe.id }, privateLinkServiceConnectionState: { status: "Approved" } } }];
}

function diag(ctx: Ctx, target: ArmResource, enabled: boolean): void {
  if (!enabled) return;
  ctx.out.push({
    id: `${target.id}/providers/microsoft.insights/diagnosticSettings/to-law`,
    name: "to-law",
    type: "microsoft.insights/diagnosticsettings",
    tenantId: ctx.tenantId,
    location: "",
    resourceGroup: target.resourceGroup,
    subscriptionId: ctx.subId,
    properties: {
      workspaceId: `/subscriptions/${ctx.subId}/resourceGroups/rg-monitoring/providers/Microsoft.OperationalInsights/workspaces/law-${ctx.suffix}`,
      logs: [{ categoryGroup: "allLogs", enabled: true, retentionPolicy: { enabled: false, days: 0 } }],
      metrics: [{ category: "AllMetrics", enabled: true }],
    },
  });
}

function storage(ctx: Ctx, rg: RgPlan, rgName: string, name: string, opts: { open?: boolean } = {}): ArmResource {
  const r = base(ctx, rgName, "Microsoft.Storage/storageAccounts", name.slice(0, 24), {
    kind: "StorageV2",
    sku: { name: ctx.sub.key === "prod" ? "Standard_GRS" : "Standard_LRS", tier: "Standard" },
    tags: resTags(ctx, rg, rg.dataClassification ? { dataClassification: rg.dataClassification } : {}),
  });
  const openNet = opts.open ?? sloppy(ctx, 1.4);
  r.properties = {
    provisioningState: "Succeeded",
    creationTime: "2024-05-02T10:11:12.0000000Z",
    primaryEndpoints: { blob: `https://${r.name}.blob.core.windows.net/`, file: `https://${r.name}.file.core.windows.net/` },
    supportsHttpsTrafficOnly: !sloppy(ctx, 0.6),
    minimumTlsVersion: sloppy(ctx, 0.9) ? "TLS1_0" : "TLS1_2",
    allowBlobPublicAccess: sloppy(ctx, 0.9),
    allowSharedKeyAccess: sloppy(ctx, 2),
    publicNetworkAccess: openNet ? "Enabled" : ctx.rng.chance(0.4) ? "Disabled" : "Enabled",
    allowCrossTenantReplication: sloppy(ctx, 0.8),
    isHnsEnabled: false,
    networkAcls: {
      bypass: "AzureServices",
      defaultAction: openNet ? "Allow" : "Deny",
      ipRules: openNet ? [] : [{ value: "203.0.113.0/24", action: "Allow" }],
      virtualNetworkRules: openNet || !ctx.subnets["snet-app"] ? [] : [{ id: ctx.subnets["snet-app"], action: "Allow", state: "Succeeded" }],
    },
    encryption: {
      keySource: sloppy(ctx, 1.5) ? "Microsoft.Storage" : "Microsoft.Keyvault",
      requireInfrastructureEncryption: !sloppy(ctx, 1.5),
      services: { blob: { enabled: true, keyType: "Account" }, file: { enabled: true, keyType: "Account" } },
    },
  };
  add(ctx, r);
  diag(ctx, r, !sloppy(ctx, 1.2));
  if (!openNet) privateEndpoint(ctx, r, "blob");
  return r;
}

function keyVault(ctx: Ctx, rg: RgPlan, rgName: string, name: string): ArmResource {
  const r = base(ctx, rgName, "Microsoft.KeyVault/vaults", name.slice(0, 24), { tags: resTags(ctx, rg, rg.dataClassification ? { dataClassification: rg.dataClassification } : {}) });
  const open = sloppy(ctx, 1.3);
  r.properties = {
    tenantId: ctx.tenantId,
    sku: { family: "A", name: ctx.sub.key === "prod" ? "premium" : "standard" },
    vaultUri: `https://${r.name}.vault.azure.net/`,
    enableSoftDelete: true,
    softDeleteRetentionInDays: 90,
    enablePurgeProtection: sloppy(ctx, 1.2) ? null : true,
    enableRbacAuthorization: !sloppy(ctx),
    publicNetworkAccess: open ? "Enabled" : "Disabled",
    networkAcls: { bypass: "AzureServices", defaultAction: open ? "Allow" : "Deny", ipRules: [], virtualNetworkRules: [] },
    accessPolicies: [],
    provisioningState: "Succeeded",
  };
  add(ctx, r);
  diag(ctx, r, !sloppy(ctx));
  if (!open) privateEndpoint(ctx, r, "vault");
  // Keys and secrets with and without expiry dates (Key Vault child resources).
  for (const kind of ["keys", "secrets"] as const) {
    const child = base(ctx, rgName, `Microsoft.KeyVault/vaults/${kind}`, `${r.name}/${kind === "keys" ? "cmk" : "app-secret"}`, { tags: {} });
    child.properties = { attributes: { enabled: true, exp: sloppy(ctx, 1.5) ? undefined : 1798761600, created: 1714557600 }, ...(kind === "keys" ? { kty: "RSA", keySize: 2048 } : { contentType: "text/plain" }) };
    add(ctx, child);
  }
  return r;
}

function sqlServer(ctx: Ctx, rg: RgPlan, rgName: string, name: string, dbs: number, opts: { open?: boolean } = {}): ArmResource {
  const r = base(ctx, rgName, "Microsoft.Sql/servers", name, { kind: "v12.0", tags: resTags(ctx, rg, rg.dataClassification ? { dataClassification: rg.dataClassification } : {}) });
  const open = opts.open ?? sloppy(ctx, 1.2);
  const aadOnly = !sloppy(ctx, 1.4);
  r.properties = {
    administratorLogin: "sqladmin",
    version: "12.0",
    state: "Ready",
    fullyQualifiedDomainName: `${name}.database.windows.net`,
    publicNetworkAccess: open ? "Enabled" : "Disabled",
    minimalTlsVersion: sloppy(ctx, 0.7) ? "1.0" : "1.2",
    restrictOutboundNetworkAccess: "Disabled",
    administrators: sloppy(ctx, 0.8)
      ? undefined
      : { administratorType: "ActiveDirectory", principalType: "Group", login: `sql-admins-${ctx.suffix}`, sid: ctx.rng.uuid(), tenantId: ctx.tenantId, azureADOnlyAuthentication: aadOnly },
  };
  if (!sloppy(ctx, 0.8)) r.identity = { type: "SystemAssigned", principalId: ctx.rng.uuid(), tenantId: ctx.tenantId };
  add(ctx, r);
  if (!open) privateEndpoint(ctx, r, "sqlServer");
  const child = (type: string, childName: string, properties: Record<string, unknown>) => {
    const c = base(ctx, rgName, type, `${name}/${childName}`);
    c.properties = properties;
    return add(ctx, c);
  };
  if (open) {
    child("Microsoft.Sql/servers/firewallRules", "AllowAllWindowsAzureIps", { startIpAddress: "0.0.0.0", endIpAddress: "0.0.0.0" });
    if (sloppy(ctx, 0.8) || opts.open) child("Microsoft.Sql/servers/firewallRules", "AllowAll", { startIpAddress: "0.0.0.0", endIpAddress: "255.255.255.255" });
  }
  child("Microsoft.Sql/servers/auditingSettings", "default", { state: sloppy(ctx) ? "Disabled" : "Enabled", retentionDays: 90, isAzureMonitorTargetEnabled: true });
  child("Microsoft.Sql/servers/securityAlertPolicies", "Default", { state: sloppy(ctx) ? "Disabled" : "Enabled", emailAccountAdmins: true });
  child("Microsoft.Sql/servers/vulnerabilityAssessments", "Default", { recurringScans: { isEnabled: !sloppy(ctx, 1.3), emailSubscriptionAdmins: true } });
  for (let i = 1; i <= dbs; i++) {
    const dbName = `sqldb-${rg.app.replace(/[^a-z0-9]/g, "")}-${i}`;
    const db = base(ctx, rgName, "Microsoft.Sql/servers/databases", `${name}/${dbName}`, { kind: "v12.0,user", sku: { name: "GP_Gen5", tier: "GeneralPurpose", capacity: 2 }, tags: resTags(ctx, rg) });
    db.properties = { status: "Online", collation: "SQL_Latin1_General_CP1_CI_AS", maxSizeBytes: 34359738368, zoneRedundant: ctx.sub.key === "prod", requestedBackupStorageRedundancy: ctx.sub.key === "prod" ? "Geo" : "Local", currentServiceObjectiveName: "GP_Gen5_2" };
    add(ctx, db);
    child("Microsoft.Sql/servers/databases/transparentDataEncryption", `${dbName}/current`, { state: sloppy(ctx, 0.5) ? "Disabled" : "Enabled" });
  }
  return r;
}

// ---------------------------------------------------------------------------------------------------------
// Virtual machines: NIC, disks, extensions, and for jump hosts a public IP and a NIC NSG.

function buildVms(ctx: Ctx, rg: RgPlan, rgName: string, count: number, role: "app" | "jump", planted: Record<string, string>): void {
  const nicNsg = nsg(
    ctx,
    rgName,
    nameFor(ctx, "nsg", rg.app),
    role === "jump"
      ? [
          ctx.sub.key === "prod"
            ? { name: "Allow-RDP", priority: 100, access: "Allow", protocol: "Tcp", source: "*", ports: "3389" }
            : ctx.sub.key === "dev"
              ? { name: "ssh-anywhere", priority: 300, access: "Allow", protocol: "Tcp", source: "Any", ports: "22" }
              : { name: "Allow-RDP-Corp", priority: 200, access: "Allow", protocol: "Tcp", source: "198.51.100.0/24", ports: "3389" },
          { name: "Deny-Telnet", priority: 110, access: "Deny", protocol: "Tcp", source: "*", ports: "23" },
        ]
      : sloppy(ctx, 0.6)
        ? [{ name: "Allow-Mgmt", priority: 400, access: "Allow", protocol: "Tcp", source: "Internet", ports: ["22", "3389", "5985-5986"] }]
        : [{ name: "Allow-App", priority: 400, access: "Allow", protocol: "Tcp", source: "VirtualNetwork", ports: "8080-8090" }],
    resTags(ctx, rg),
  );
  const os = role === "jump" && ctx.sub.key !== "dev" ? "Windows" : rg.app === "finance" ? "Windows" : "Linux";
  const nicIds: string[] = [];
  for (let i = 1; i <= count; i++) {
    const vmName = role === "jump" ? (ctx.sub.key === "prod" ? `vm-jump-${ctx.suffix}${ctx.unit ? `-u${ctx.unit}` : ""}-${String(i).padStart(2, "0")}` : ctx.sub.key === "dev" ? `vm-build-${ctx.suffix}${ctx.unit ? `-u${ctx.unit}` : ""}-${String(i).padStart(2, "0")}` : nameFor(ctx, "vm", rg.app, i)) : nameFor(ctx, "vm", rg.app, i);
    const vmId = `/subscriptions/${ctx.subId}/resourceGroups/${rgName}/providers/Microsoft.Compute/virtualMachines/${vmName}`;
    const exposed = role === "jump" && i === 1;
    const pip = exposed ? publicIp(ctx, rgName, `pip-${vmName}`, resTags(ctx, rg)) : undefined;
    const nic = base(ctx, rgName, "Microsoft.Network/networkInterfaces", `nic-${vmName}`, { tags: resTags(ctx, rg) });
    nic.properties = {
      provisioningState: "Succeeded",
      ipConfigurations: [
        {
          name: "ipconfig1",
          id: `${nic.id}/ipConfigurations/ipconfig1`,
          properties: {
            privateIPAddress: `10.${ctx.sub.key === "prod" ? 10 : ctx.sub.key === "dev" ? 20 : 30}.${role === "jump" ? 8 : 2}.${10 + ctx.rng.int(0, 200)}`,
            privateIPAllocationMethod: "Dynamic",
            primary: true,
            subnet: { id: ctx.subnets[role === "jump" ? "snet-mgmt" : "snet-app"] },
            ...(pip ? { publicIPAddress: { id: pip.id } } : {}),
          },
        },
      ],
      networkSecurityGroup: { id: nicNsg.id },
      virtualMachine: { id: vmId },
      enableIPForwarding: false,
      enableAcceleratedNetworking: true,
    };
    if (pip) (pip.properties as Record<string, unknown>).ipConfiguration = { id: `${nic.id}/ipConfigurations/ipconfig1` };
    add(ctx, nic);
    nicIds.push(nic.id);
    const disk = base(ctx, rgName, "Microsoft.Compute/disks", `${vmName}_OsDisk_1`, { managedBy: vmId, sku: { name: "Premium_LRS", tier: "Premium" }, tags: resTags(ctx, rg) });
    disk.properties = {
      osType: os,
      diskSizeGB: 128,
      diskState: "Attached",
      encryption: { type: sloppy(ctx, 1.2) ? "EncryptionAtRestWithPlatformKey" : "EncryptionAtRestWithCustomerKey" },
      networkAccessPolicy: sloppy(ctx) ? "AllowAll" : "DenyAll",
      publicNetworkAccess: sloppy(ctx) ? "Enabled" : "Disabled",
      provisioningState: "Succeeded",
    };
    add(ctx, disk);
    const dataDisks: Record<string, unknown>[] = [];
    if (role === "app") {
      const dd = base(ctx, rgName, "Microsoft.Compute/disks", `${vmName}_DataDisk_0`, { managedBy: vmId, sku: { name: "Premium_LRS", tier: "Premium" }, tags: resTags(ctx, rg) });
      dd.properties = { diskSizeGB: 512, diskState: "Attached", encryption: { type: sloppy(ctx, 1.2) ? "EncryptionAtRestWithPlatformKey" : "EncryptionAtRestWithCustomerKey" }, networkAccessPolicy: "DenyAll", publicNetworkAccess: "Disabled", provisioningState: "Succeeded" };
      add(ctx, dd);
      dataDisks.push({ lun: 0, name: dd.name, createOption: "Attach", managedDisk: { id: dd.id, storageAccountType: "Premium_LRS" } });
    }
    const vm = base(ctx, rgName, "Microsoft.Compute/virtualMachines", vmName, { tags: resTags(ctx, rg, rg.dataClassification ? { dataClassification: rg.dataClassification } : {}) });
    const withIdentity = exposed || !sloppy(ctx, 0.8);
    if (withIdentity) vm.identity = { type: "SystemAssigned", principalId: createRng(subSeed(ctx.unit, vmId)).uuid(), tenantId: ctx.tenantId };
    vm.properties = {
      vmId: ctx.rng.uuid(),
      provisioningState: "Succeeded",
      hardwareProfile: { vmSize: ctx.rng.pick(["Standard_D2s_v5", "Standard_D4s_v5", "Standard_B2ms", "Standard_E4s_v5"]) },
      storageProfile: {
        imageReference: os === "Windows" ? { publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2022-datacenter-azure-edition", version: "latest" } : { publisher: "Canonical", offer: "0001-com-ubuntu-server-jammy", sku: "22_04-lts-gen2", version: "latest" },
        osDisk: { osType: os, name: disk.name, createOption: "FromImage", caching: "ReadWrite", managedDisk: { id: disk.id, storageAccountType: "Premium_LRS" } },
        dataDisks,
      },
      osProfile: {
        computerName: vmName.slice(0, 15),
        adminUsername: "azureuser",
        ...(os === "Linux"
          ? { linuxConfiguration: { disablePasswordAuthentication: !sloppy(ctx), provisionVMAgent: true, patchSettings: { patchMode: sloppy(ctx) ? "ImageDefault" : "AutomaticByPlatform", assessmentMode: sloppy(ctx) ? "ImageDefault" : "AutomaticByPlatform" } } }
          : { windowsConfiguration: { enableAutomaticUpdates: !sloppy(ctx), provisionVMAgent: true, patchSettings: { patchMode: sloppy(ctx) ? "Manual" : "AutomaticByPlatform", assessmentMode: sloppy(ctx) ? "ImageDefault" : "AutomaticByPlatform" } } }),
      },
      networkProfile: { networkInterfaces: [{ id: nic.id, properties: { primary: true } }] },
      securityProfile: sloppy(ctx) ? undefined : { securityType: "TrustedLaunch", encryptionAtHost: !sloppy(ctx, 1.5), uefiSettings: { secureBootEnabled: true, vTpmEnabled: true } },
      diagnosticsProfile: { bootDiagnostics: { enabled: !sloppy(ctx) } },
      extended: { instanceView: { powerState: { code: "PowerState/running", displayStatus: "VM running" }, osName: os === "Windows" ? "Windows Server 2022 Datacenter" : "ubuntu", osVersion: os === "Windows" ? "10.0.20348" : "22.04" } },
    };
    add(ctx, vm);
    const ext = (name: string, publisher: string, type: string) => {
      const e = base(ctx, rgName, "Microsoft.Compute/virtualMachines/extensions", `${vmName}/${name}`);
      e.properties = { publisher, type, typeHandlerVersion: "1.0", autoUpgradeMinorVersion: true, provisioningState: "Succeeded" };
      add(ctx, e);
    };
    if (!sloppy(ctx, 1.2)) ext(os === "Windows" ? "MDE.Windows" : "MDE.Linux", "Microsoft.Azure.AzureDefenderForServers", os === "Windows" ? "MDE.Windows" : "MDE.Linux");
    if (!sloppy(ctx)) ext(os === "Windows" ? "AzureMonitorWindowsAgent" : "AzureMonitorLinuxAgent", "Microsoft.Azure.Monitor", os === "Windows" ? "AzureMonitorWindowsAgent" : "AzureMonitorLinuxAgent");
    if (!sloppy(ctx, 1.5)) ext("AzurePolicyforLinux", "Microsoft.GuestConfiguration", os === "Windows" ? "ConfigurationforWindows" : "ConfigurationForLinux");
    if (exposed && ctx.sub.key === "prod" && ctx.unit === 0) planted.jumpVm = vmId;
    if (exposed && ctx.sub.key === "dev" && ctx.unit === 0) planted.buildVm = vmId;
    // The jump host's identity can read the payments vault's secrets: the planted path to a crown jewel.
    if (exposed && ctx.sub.key === "prod" && vm.identity) {
      const kvScope = `/subscriptions/${ctx.subId}/resourceGroups/rg-payments-data-${ctx.suffix}${ctx.unit ? `-u${ctx.unit}` : ""}/providers/Microsoft.KeyVault/vaults/kv-payments-${ctx.suffix}${ctx.unit ? `-u${ctx.unit}` : ""}`;
      addRole(ctx, kvScope, "Key Vault Secrets User", vmName, "ServicePrincipal", (vm.identity as { principalId: string }).principalId);
    }
  }
  (nicNsg.properties as Record<string, unknown>).networkInterfaces = nicIds.map((id) => ({ id }));
  if (role === "app") keyVault(ctx, rg, rgName, nameFor(ctx, "kv", rg.app));
  storage(ctx, rg, rgName, shortName(ctx, `stdiag${rg.name.replace(/^rg-/, "").replace(/-.*/, "").slice(0, 8)}`));
}

// ---------------------------------------------------------------------------------------------------------

function buildAks(ctx: Ctx, rg: RgPlan, rgName: string): void {
  const name = nameFor(ctx, "aks", rg.app);
  const aks = base(ctx, rgName, "Microsoft.ContainerService/managedClusters", name, { sku: { name: "Base", tier: ctx.sub.key === "prod" ? "Standard" : "Free" }, tags: resTags(ctx, rg, rg.dataClassification ? { dataClassification: rg.dataClassification } : {}) });
  aks.identity = { type: "SystemAssigned", principalId: ctx.rng.uuid(), tenantId: ctx.tenantId };
  const privateCluster = !sloppy(ctx, 1.5);
  aks.properties = {
    provisioningState: "Succeeded",
    powerState: { code: "Running" },
    kubernetesVersion: ctx.rng.pick(["1.29.7", "1.30.4", "1.27.9"]),
    dnsPrefix: name,
    fqdn: `${name}-dns.hcp.${ctx.location}.azmk8s.io`,
    enableRBAC: !sloppy(ctx, 0.3),
    disableLocalAccounts: !sloppy(ctx, 1.2),
    aadProfile: sloppy(ctx) ? undefined : { managed: true, enableAzureRBAC: true, tenantID: ctx.tenantId },
    apiServerAccessProfile: privateCluster ? { enablePrivateCluster: true } : { enablePrivateCluster: false, authorizedIPRanges: sloppy(ctx) ? [] : ["203.0.113.0/24"] },
    addonProfiles: { azurepolicy: { enabled: !sloppy(ctx) }, omsagent: { enabled: !sloppy(ctx), config: {} }, azureKeyvaultSecretsProvider: { enabled: true } },
    networkProfile: { networkPlugin: "azure", networkPolicy: sloppy(ctx) ? null : "calico", loadBalancerSku: "standard", serviceCidr: "10.240.0.0/16", dnsServiceIP: "10.240.0.10" },
    agentPoolProfiles: [
      { name: "system", count: 3, vmSize: "Standard_D4s_v5", osType: "Linux", mode: "System", vnetSubnetID: ctx.subnets["snet-aks"], enableNodePublicIP: sloppy(ctx, 0.3), enableEncryptionAtHost: !sloppy(ctx, 1.5) },
      { name: "user", count: ctx.sub.key === "prod" ? 6 : 2, vmSize: "Standard_D8s_v5", osType: "Linux", mode: "User", vnetSubnetID: ctx.subnets["snet-aks"], enableNodePublicIP: false, enableEncryptionAtHost: !sloppy(ctx, 1.5) },
    ],
    securityProfile: { defender: { securityMonitoring: { enabled: !sloppy(ctx) } }, workloadIdentity: { enabled: !sloppy(ctx) } },
    nodeResourceGroup: `MC_${rgName}_${name}_${ctx.location}`,
  };
  add(ctx, aks);
  diag(ctx, aks, !sloppy(ctx));
  const acr = base(ctx, rgName, "Microsoft.ContainerRegistry/registries", `acr${rg.app.replace(/[^a-z0-9]/g, "")}${ctx.suffix}${ctx.unit || ""}`, { sku: { name: ctx.sub.key === "prod" ? "Premium" : "Basic", tier: ctx.sub.key === "prod" ? "Premium" : "Basic" }, tags: resTags(ctx, rg) });
  const acrOpen = sloppy(ctx, 1.5);
  acr.properties = {
    loginServer: `${acr.name}.azurecr.io`,
    provisioningState: "Succeeded",
    adminUserEnabled: sloppy(ctx),
    publicNetworkAccess: acrOpen ? "Enabled" : "Disabled",
    networkRuleSet: { defaultAction: acrOpen ? "Allow" : "Deny", ipRules: [] },
    anonymousPullEnabled: sloppy(ctx, 0.3),
    encryption: { status: sloppy(ctx, 1.5) ? "disabled" : "enabled" },
    policies: { quarantinePolicy: { status: "disabled" }, retentionPolicy: { days: 7, status: "disabled" } },
  };
  add(ctx, acr);
  keyVault(ctx, rg, rgName, nameFor(ctx, "kv", rg.app));
  cosmos(ctx, rg, rgName, nameFor(ctx, "cosmos", rg.app));
  const id = base(ctx, rgName, "Microsoft.ManagedIdentity/userAssignedIdentities", nameFor(ctx, "id", `${rg.app}-workload`), { tags: resTags(ctx, rg) });
  id.properties = { principalId: ctx.rng.uuid(), clientId: ctx.rng.uuid(), tenantId: ctx.tenantId };
  add(ctx, id);
}

function cosmos(ctx: Ctx, rg: RgPlan, rgName: string, name: string): ArmResource {
  const r = base(ctx, rgName, "Microsoft.DocumentDB/databaseAccounts", name, { kind: "GlobalDocumentDB", tags: resTags(ctx, rg, rg.dataClassification ? { dataClassification: rg.dataClassification } : {}) });
  const open = sloppy(ctx, 1.3);
  r.properties = {
    provisioningState: "Succeeded",
    documentEndpoint: `https://${name}.documents.azure.com:443/`,
    databaseAccountOfferType: "Standard",
    publicNetworkAccess: open ? "Enabled" : "Disabled",
    isVirtualNetworkFilterEnabled: !open,
    ipRules: [],
    virtualNetworkRules: open ? [] : [{ id: ctx.subnets["snet-app"], ignoreMissingVNetServiceEndpoint: false }],
    disableLocalAuth: !sloppy(ctx, 1.2),
    disableKeyBasedMetadataWriteAccess: !sloppy(ctx),
    minimalTlsVersion: sloppy(ctx, 0.8) ? "Tls" : "Tls12",
    keyVaultKeyUri: sloppy(ctx, 1.5) ? undefined : `https://kv-${ctx.suffix}.vault.azure.net/keys/cmk`,
    locations: [{ locationName: ctx.location === "westeurope" ? "West Europe" : "North Europe", failoverPriority: 0, isZoneRedundant: ctx.sub.key === "prod" }],
    backupPolicy: { type: ctx.sub.key === "prod" ? "Continuous" : "Periodic" },
  };
  add(ctx, r);
  diag(ctx, r, !sloppy(ctx));
  if (!open) privateEndpoint(ctx, r, "Sql");
  return r;
}

function buildData(ctx: Ctx, rg: RgPlan, rgName: string, planted: Record<string, string>): void {
  const isPayments = rg.app === "payments" && ctx.sub.key === "prod";
  storage(ctx, rg, rgName, shortName(ctx, `stdata${rg.app}`));
  storage(ctx, rg, rgName, shortName(ctx, `stbak${rg.app}`));
  const sql = sqlServer(ctx, rg, rgName, nameFor(ctx, "sql", rg.app), 2, isPayments ? { open: true } : {});
  cosmos(ctx, rg, rgName, nameFor(ctx, "cosmos", rg.app));
  const kv = keyVault(ctx, rg, rgName, nameFor(ctx, "kv", rg.app));
  const eh = base(ctx, rgName, "Microsoft.EventHub/namespaces", nameFor(ctx, "evh", rg.app), { sku: { name: "Standard", tier: "Standard", capacity: 1 }, tags: resTags(ctx, rg) });
  eh.properties = { provisioningState: "Succeeded", status: "Active", disableLocalAuth: !sloppy(ctx, 1.3), publicNetworkAccess: sloppy(ctx, 1.3) ? "Enabled" : "Disabled", minimumTlsVersion: sloppy(ctx, 0.6) ? "1.0" : "1.2", kafkaEnabled: true };
  add(ctx, eh);
  const rsv = base(ctx, rgName, "Microsoft.RecoveryServices/vaults", nameFor(ctx, "rsv", rg.app), { sku: { name: "RS0", tier: "Standard" }, tags: resTags(ctx, rg) });
  rsv.properties = { provisioningState: "Succeeded", publicNetworkAccess: sloppy(ctx) ? "Enabled" : "Disabled", securitySettings: { immutabilitySettings: { state: sloppy(ctx) ? "Disabled" : "Unlocked" }, softDeleteSettings: { softDeleteState: "Enabled", softDeleteRetentionPeriodInDays: 14 } }, redundancySettings: { standardTierStorageRedundancy: "GeoRedundant", crossRegionRestore: "Disabled" } };
  add(ctx, rsv);
  if (isPayments && ctx.unit === 0) {
    planted.paymentsVault = kv.id;
    planted.paymentsSql = sql.id;
  }
}

function buildMonitor(ctx: Ctx, rg: RgPlan, rgName: string): void {
  const law = base(ctx, rgName, "Microsoft.OperationalInsights/workspaces", nameFor(ctx, "law", rg.app), { tags: resTags(ctx, rg) });
  law.properties = {
    provisioningState: "Succeeded",
    customerId: ctx.rng.uuid(),
    sku: { name: "PerGB2018" },
    retentionInDays: sloppy(ctx) ? 30 : 365,
    publicNetworkAccessForIngestion: "Enabled",
    publicNetworkAccessForQuery: sloppy(ctx) ? "Enabled" : "Disabled",
    features: { enableLogAccessUsingOnlyResourcePermissions: true, disableLocalAuth: !sloppy(ctx, 1.2) },
  };
  add(ctx, law);
  storage(ctx, rg, rgName, shortName(ctx, `stlogs${rg.app.slice(0, 4)}`));
  const ag = base(ctx, rgName, "Microsoft.Insights/actionGroups", nameFor(ctx, "ag", "oncall"), { location: "global", tags: resTags(ctx, rg) });
  ag.properties = { groupShortName: "oncall", enabled: true, emailReceivers: [{ name: "sre", emailAddress: `sre-team@${DOMAIN}`, useCommonAlertSchema: true }] };
  add(ctx, ag);
}

function buildIdentity(ctx: Ctx, rg: RgPlan, rgName: string): void {
  for (const purpose of ["deploy", "backup", "monitoring"]) {
    const id = base(ctx, rgName, "Microsoft.ManagedIdentity/userAssignedIdentities", nameFor(ctx, "id", purpose), { tags: resTags(ctx, rg) });
    id.properties = { principalId: ctx.rng.uuid(), clientId: ctx.rng.uuid(), tenantId: ctx.tenantId };
    add(ctx, id);
  }
  keyVault(ctx, rg, rgName, nameFor(ctx, "kv", "shared"));
}
