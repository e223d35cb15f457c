/**
 * Truth tables for real built-in policies (rules from the committed built-in catalog, derived from
 * ../shared/realdata): for each, ARG-shaped resources written here that must come out noncompliant,
 * compliant and not applicable, with the reason naming what decided.
 */
import { describe, expect, it } from "vitest";
import { builtinDefinition, getBuiltin } from "./builtins";
import { whatIf } from "./whatif";

type Row = Record<string, unknown>;
const SUB = "00000000-0000-0000-0000-000000000001";
const RG = "rg-app";

/** An ARG row: id built from the (possibly child) type and full name, type lower-cased as ARG returns it. */
function mk(type: string, fullName: string, properties: Row = {}, extra: Row = {}): Row {
  const [ns, ...types] = type.split("/");
  const names = fullName.split("/");
  const path = types.map((t, i) => `${t}/${names[i]}`).join("/");
  return {
    id: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/${ns}/${path}`,
    name: names[names.length - 1],
    type: type.toLowerCase(),
    location: "westeurope",
    resourceGroup: RG,
    subscriptionId: SUB,
    tags: {},
    properties,
    ...extra,
  };
}
const ext = (parent: Row, type: string, name: string, properties: Row): Row => ({
  id: `${parent.id}/providers/${type}/${name}`,
  name,
  type: type.toLowerCase(),
  location: "",
  resourceGroup: RG,
  subscriptionId: SUB,
  properties,
});
const nsg = mk("Microsoft.Network/networkSecurityGroups", "nsg1", { securityRules: [] });
const sa = (p: Row, extra: Row = {}) => mk("Microsoft.Storage/storageAccounts", "st1", p, extra);
const site = (kind: string, p: Row) => mk("Microsoft.Web/sites", "app1", p, { kind });
const kv = (p: Row) => mk("Microsoft.KeyVault/vaults", "kv1", p);
const aks = (p: Row) => mk("Microsoft.ContainerService/managedClusters", "aks1", p);
const acr = (p: Row, extra: Row = {}) => mk("Microsoft.ContainerRegistry/registries", "acr1", p, extra);
const db = (name: string) => mk("Microsoft.Sql/servers/databases", `sql1/${name}`);
const tde = (name: string, status: string) =>
  mk("Microsoft.Sql/servers/databases/transparentDataEncryption", `sql1/${name}/current`, { status });
const vm = mk("Microsoft.Compute/virtualMachines", "vm1", { hardwareProfile: { vmSize: "Standard_D2s_v3" } });
const vm2 = { ...mk("Microsoft.Compute/virtualMachines", "vm2", { hardwareProfile: { vmSize: "Standard_M128" } }) };
const rgRow = {
  id: `/subscriptions/${SUB}/resourceGroups/${RG}`,
  name: RG,
  type: "microsoft.resources/subscriptions/resourcegroups",
  location: "westeurope",
  subscriptionId: SUB,
  resourceGroup: RG,
  tags: {},
  properties: { provisioningState: "Succeeded" },
};

interface Case {
  id: string;
  params?: Row;
  nc: Row;
  c?: Row;
  na?: Row;
  related?: Row[];
  /** text the noncompliant reason must contain */
  why: RegExp;
}

const CASES: Case[] = [
  {
    id: "404c3081-a854-4457-ae30-26a93ef643f9",
    nc: sa({ supportsHttpsTrafficOnly: false }),
    c: sa({ supportsHttpsTrafficOnly: true }),
    why: /supportsHttpsTrafficOnly is false/,
  },
  {
    id: "34c877ad-507e-4c82-993e-3452a6e0ad3c",
    nc: sa({ networkAcls: { defaultAction: "Allow" } }),
    c: sa({ networkAcls: { defaultAction: "Deny" } }),
    why: /defaultAction is 'Allow'/,
  },
  {
    id: "2a1a9cdf-e04d-429a-8416-3bfb72a1b26f",
    nc: sa({ networkAcls: { defaultAction: "Deny", ipRules: [{ value: "1.2.3.4", action: "Allow" }] } }),
    c: sa({ networkAcls: { defaultAction: "Deny", ipRules: [] } }),
    why: /count\(.*ipRules\[\*\]\) is 1/,
  },
  {
    id: "fe83a0eb-a853-422d-aac2-1bffd182c5d0",
    nc: sa({ minimumTlsVersion: "TLS1_0" }),
    c: sa({ minimumTlsVersion: "TLS1_2" }),
    why: /minimumTlsVersion is 'TLS1_0'/,
  },
  {
    id: "17k78e20-9358-41c9-923c-fb736d382a12",
    nc: db("orders"),
    c: db("billing"),
    na: db("master"),
    related: [tde("orders", "Disabled"), tde("billing", "Enabled"), tde("master", "Enabled")],
    why: /none satisfies the existence condition/,
  },
  {
    id: "e56962a6-4747-49cd-b67b-bf8b01975c4c",
    params: { listOfAllowedLocations: ["westeurope", "northeurope"] },
    nc: sa({}, { location: "eastus" }),
    c: sa({}),
    na: mk("Microsoft.AzureActiveDirectory/b2cDirectories", "b2c1", {}, { location: "eastus" }),
    why: /location is 'eastus'/,
  },
  {
    id: "871b6d14-10aa-478d-b590-94f262ecfa99",
    params: { tagName: "costCenter" },
    nc: sa({}),
    c: sa({}, { tags: { CostCenter: "cc-42" } }),
    na: rgRow,
    why: /tags\['costCenter'\] is \(missing\)/,
  },
  {
    id: "9daedab3-fb2d-461e-b861-71790eead4f6",
    nc: vm,
    c: vm2,
    na: sa({}),
    related: [
      ext(vm, "Microsoft.Security/assessments", "3b20e985-f71f-483b-b078-f30d73936d43", { status: { code: "Unhealthy" } }),
      ext(vm2, "Microsoft.Security/assessments", "3b20e985-f71f-483b-b078-f30d73936d43", { status: { code: "Healthy" } }),
    ],
    why: /status\.code is 'Unhealthy'/,
  },
  {
    id: "3aa03346-d8c5-4994-a5bc-7652c2a2aef1",
    nc: mk("Microsoft.ApiManagement/service/subscriptions", "apim1/s1", {
      scope: "/subscriptions/x/resourceGroups/r/providers/Microsoft.ApiManagement/service/apim1/apis",
      state: "active",
    }),
    c: mk("Microsoft.ApiManagement/service/subscriptions", "apim1/s2", { scope: "/products/starter", state: "active" }),
    why: /like '\*\/apis'/,
  },
  {
    id: "73ef9241-5d81-4cd4-b483-8443d1730fe5",
    nc: mk("Microsoft.ApiManagement/service", "apim1", {}, { sku: { name: "Basic", capacity: 1 } }),
    c: mk("Microsoft.ApiManagement/service", "apim1", {}, { sku: { name: "Premium", capacity: 1 } }),
    why: /sku\.name is 'Basic'/,
  },
  {
    id: "1dc2fc00-2245-4143-99f4-874c937f13ef",
    nc: mk("Microsoft.ApiManagement/service", "apim1", { platformVersion: "stv1" }),
    c: mk("Microsoft.ApiManagement/service", "apim1", { platformVersion: "stv2" }),
    why: /platformVersion is 'stv1'/,
  },
  {
    id: "72d04c29-f87d-4575-9731-419ff16a2757",
    nc: site("app", { virtualNetworkSubnetId: "" }),
    c: site("app", { virtualNetworkSubnetId: "/subscriptions/x/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/s" }),
    why: /virtualNetworkSubnetId is ''/,
  },
  {
    id: "6d555dd1-86f2-4f1c-8ed7-5abae7c6cbab",
    nc: site("functionapp,linux", { httpsOnly: false }),
    c: site("functionapp", { httpsOnly: true }),
    na: site("app", { httpsOnly: false }),
    why: /httpsOnly is false/,
  },
  {
    id: "a4af4a39-4135-47fb-b175-47fbdf85311d",
    nc: site("app", {}),
    c: site("app", { httpsOnly: true }),
    na: site("functionapp", {}),
    why: /httpsOnly is \(missing\)/,
  },
  {
    id: "25255ddf-ef4f-4283-975a-5590ad111bba",
    nc: site("app", { sshEnabled: true }),
    c: site("app", { sshEnabled: false }),
    why: /sshEnabled is true/,
  },
  {
    id: "1b5ef780-c53c-4a64-87f3-bb9c8c8094ba",
    nc: site("app", { publicNetworkAccess: "Enabled" }),
    c: site("app", { publicNetworkAccess: "Disabled" }),
    why: /publicNetworkAccess is 'Enabled'/,
  },
  {
    id: "43bc7be6-5e69-4b0d-a2bb-e815557ca673",
    nc: mk("Microsoft.Kusto/clusters", "adx1", { publicNetworkAccess: "Enabled" }),
    c: mk("Microsoft.Kusto/clusters", "adx1", { publicNetworkAccess: "Disabled" }),
    why: /publicNetworkAccess is 'Enabled'/,
  },
  {
    id: "f4b53539-8df9-40e4-86c6-6b607703bd4e",
    nc: mk("Microsoft.Kusto/clusters", "adx1", { enableDiskEncryption: false }),
    c: mk("Microsoft.Kusto/clusters", "adx1", { enableDiskEncryption: true }),
    why: /enableDiskEncryption is false/,
  },
  {
    id: "1fec9658-933f-4b3e-bc95-913ed22d012b",
    nc: mk("Microsoft.Kusto/clusters", "adx1", {}, { sku: { name: "Dev(No SLA)_Standard_E2a_v4", tier: "Free" } }),
    c: mk("Microsoft.Kusto/clusters", "adx1", {}, { sku: { name: "Standard_E8ads_v5", tier: "Standard" } }),
    why: /sku\.tier is 'Free'/,
  },
  {
    id: "22bee202-a82f-4305-9a2a-6d7f44d4dedb",
    nc: mk("Microsoft.Cache/redis", "redis1", { enableNonSslPort: true }),
    c: mk("Microsoft.Cache/redis", "redis1", { enableNonSslPort: false }),
    why: /enableNonSslPort is true/,
  },
  {
    id: "470baccb-7e51-4549-8b1a-3e5be069f663",
    nc: mk("Microsoft.Cache/redis", "redis1", { publicNetworkAccess: "Enabled" }),
    c: mk("Microsoft.Cache/redis", "redis1", { publicNetworkAccess: "Disabled" }),
    why: /publicNetworkAccess is 'Enabled'/,
  },
  {
    id: "8405fdab-1faf-48aa-b702-999c9c172094",
    nc: mk("Microsoft.Compute/disks", "disk1", { networkAccessPolicy: "AllowAll", publicNetworkAccess: "Enabled" }),
    c: mk("Microsoft.Compute/disks", "disk1", { networkAccessPolicy: "DenyAll", publicNetworkAccess: "Enabled" }),
    why: /networkAccessPolicy is 'AllowAll'/,
  },
  {
    id: "cccc23c7-8427-4f53-ad12-b6a63eb452b3",
    params: { listOfAllowedSKUs: ["Standard_D2s_v3"] },
    nc: vm2,
    c: vm,
    why: /sku\.name is 'Standard_M128'/,
  },
  {
    id: "c0e996f8-39cf-4af9-9f45-83fbde810432",
    params: { approvedExtensions: ["AzureMonitorLinuxAgent"] },
    nc: mk("Microsoft.Compute/virtualMachines/extensions", "vm1/cse", { type: "CustomScript", publisher: "Microsoft.Azure.Extensions" }),
    c: mk("Microsoft.Compute/virtualMachines/extensions", "vm1/ama", { type: "AzureMonitorLinuxAgent" }),
    why: /extensions\/type is 'CustomScript'/,
  },
  {
    id: "dc921057-6b28-4fbe-9b83-f7bec05db6c2",
    nc: acr({ adminUserEnabled: true }),
    c: acr({ adminUserEnabled: false }),
    why: /adminUserEnabled is true/,
  },
  {
    id: "9f2dea28-e834-476c-99c5-3507b4728395",
    nc: acr({ anonymousPullEnabled: true }),
    c: acr({ anonymousPullEnabled: false }),
    why: /anonymousPullEnabled is true/,
  },
  {
    id: "0fdf0491-d080-4575-b627-ad0e843cba0f",
    nc: acr({ publicNetworkAccess: "Enabled" }),
    c: acr({ publicNetworkAccess: "Disabled" }),
    why: /publicNetworkAccess is 'Enabled'/,
  },
  {
    id: "bd560fc0-3c69-498a-ae9f-aa8eb7de0e13",
    nc: acr({}, { sku: { name: "Basic", tier: "Basic" } }),
    c: acr({}, { sku: { name: "Premium", tier: "Premium" } }),
    why: /sku\.name is 'Basic'/,
  },
  {
    id: "84497762-32b6-4ab3-80b6-732ea48b85a2",
    nc: mk("Microsoft.ContainerRegistry/registries/cacheRules", "acr1/dockerhub", {}),
    na: acr({}),
    why: /type is 'Microsoft\.ContainerRegistry\/registries\/cacheRules'/,
  },
  {
    id: "1cf164be-6819-4a50-b8fa-4bcaa4f98fb6",
    nc: mk("Microsoft.DataFactory/factories", "adf1", { publicNetworkAccess: "Enabled" }),
    c: mk("Microsoft.DataFactory/factories", "adf1", { publicNetworkAccess: "Disabled" }),
    why: /publicNetworkAccess is 'Enabled'/,
  },
  {
    id: "b278e460-7cfc-4451-8294-cccc40a940d7",
    nc: mk("Microsoft.EventHub/namespaces/authorizationRules", "eh1/send", { rights: ["Send"] }),
    na: mk("Microsoft.EventHub/namespaces/authorizationRules", "eh1/RootManageSharedAccessKey", {}),
    why: /name is 'send'/,
  },
  {
    id: "5d4e3c65-4873-47be-94f3-6f8b953a3598",
    nc: mk("Microsoft.EventHub/namespaces", "eh1", { disableLocalAuth: false }),
    c: mk("Microsoft.EventHub/namespaces", "eh1", { disableLocalAuth: true }),
    why: /disableLocalAuth is false/,
  },
  {
    id: "a451c1ef-c6ca-483d-87ed-f49761e3ffb5",
    nc: {
      id: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/r1`,
      name: "r1",
      type: "microsoft.authorization/roledefinitions",
      subscriptionId: SUB,
      properties: { type: "CustomRole", roleName: "ops" },
    },
    c: {
      id: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/r2`,
      name: "r2",
      type: "microsoft.authorization/roledefinitions",
      subscriptionId: SUB,
      properties: { type: "BuiltInRole" },
    },
    why: /roleDefinitions\/type is 'CustomRole'/,
  },
  {
    id: "12d4fa5e-1f9f-4c21-97a9-b99b3c6611b5",
    nc: kv({ enableRbacAuthorization: false }),
    c: kv({ enableRbacAuthorization: true }),
    why: /enableRbacAuthorization is false/,
  },
  { id: "1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d", nc: kv({}), c: kv({ enableSoftDelete: true }), why: /enableSoftDelete is \(missing\)/ },
  {
    id: "ea4d6841-2173-4317-9747-ff522a45120f",
    nc: kv({ networkAcls: { defaultAction: "Deny", virtualNetworkRules: [] } }),
    c: kv({
      networkAcls: {
        defaultAction: "Deny",
        virtualNetworkRules: [{ id: "/subscriptions/x/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/s" }],
      },
    }),
    why: /virtualNetworkRules\[\*\]\.id is \[\] \(no members\)/,
  },
  {
    id: "405c5871-3e91-4644-8a63-58e19d68ff5b",
    nc: kv({ publicNetworkAccess: "Enabled" }),
    c: kv({ publicNetworkAccess: "Disabled" }),
    why: /publicNetworkAccess is 'Enabled'/,
  },
  { id: "450d2877-ebea-41e8-b00c-e286317d21bf", nc: aks({}), c: aks({ aadProfile: { managed: true } }), why: /aadProfile is \(missing\)/ },
  {
    id: "040732e8-d947-40b8-95d6-854c95024bf8",
    nc: aks({ apiServerAccessProfile: { enablePrivateCluster: false } }),
    c: aks({ apiServerAccessProfile: { enablePrivateCluster: true } }),
    why: /enablePrivateCluster is false/,
  },
  {
    id: "46238e2f-3f6f-4589-9f3f-77bed4116e67",
    nc: aks({ networkProfile: { networkPlugin: "kubenet" } }),
    c: aks({ networkProfile: { networkPlugin: "azure" } }),
    why: /networkPlugin is 'kubenet'/,
  },
  {
    id: "83a86a26-fd1f-447c-b59d-e51f44264114",
    nc: mk("Microsoft.Network/networkInterfaces", "nic1", {
      ipConfigurations: [
        {
          name: "ip1",
          properties: { publicIPAddress: { id: "/subscriptions/x/resourceGroups/r/providers/Microsoft.Network/publicIPAddresses/pip1" } },
        },
      ],
    }),
    c: mk("Microsoft.Network/networkInterfaces", "nic1", { ipConfigurations: [{ name: "ip1", properties: { subnet: { id: "/s" } } }] }),
    why: /publicIpAddress\.id is \['\/subscriptions/i,
  },
  {
    id: "88c0b9da-ce96-4b03-9635-f29a937e2900",
    nc: mk("Microsoft.Network/networkInterfaces", "nic1", { enableIPForwarding: true }),
    c: mk("Microsoft.Network/networkInterfaces", "nic1", { enableIPForwarding: false }),
    why: /enableIpForwarding is true/i,
  },
  {
    id: "35f9c03a-cc27-418e-9c0c-539ff999d010",
    nc: mk("Microsoft.Network/virtualNetworks/subnets", "vnet1/GatewaySubnet", { networkSecurityGroup: { id: "/nsg" } }),
    c: mk("Microsoft.Network/virtualNetworks/subnets", "vnet1/GatewaySubnet", {}),
    na: mk("Microsoft.Network/virtualNetworks/subnets", "vnet1/default", { networkSecurityGroup: { id: "/nsg" } }),
    why: /networkSecurityGroup\.id is '\/nsg'/,
  },
  {
    id: "5cc7aeef-357e-433d-9627-05354b40f8e2",
    nc: mk("Microsoft.Sql/servers", "sql1", { publicNetworkAccess: "Enabled" }),
    c: mk("Microsoft.Sql/servers", "sql1", { publicNetworkAccess: "Disabled" }),
    why: /publicNetworkAccess is 'Enabled'/,
  },
  {
    id: "eae5dab1-5078-4686-a091-fce0e1e13d3b",
    nc: mk("Microsoft.Sql/servers", "sql1", { restrictOutboundNetworkAccess: "Disabled" }),
    c: mk("Microsoft.Sql/servers", "sql1", { restrictOutboundNetworkAccess: "Enabled" }),
    related: [rgRow],
    why: /value is ''; notContains/,
  },
  {
    id: "cee2f9fd-3968-44be-a863-bd62c9884423",
    nc: mk("Microsoft.DBforPostgreSQL/flexibleServers", "pg1", { backup: { geoRedundantBackup: "Disabled" } }),
    c: mk("Microsoft.DBforPostgreSQL/flexibleServers", "pg1", { backup: { geoRedundantBackup: "Enabled" } }),
    why: /geoRedundantBackup is 'Disabled'/,
  },
  {
    id: "199d5677-e4d9-4264-9465-efe1839c06bd",
    nc: mk("Microsoft.Insights/components", "ai1", { DisableLocalAuth: false }),
    c: mk("Microsoft.Insights/components", "ai1", { DisableLocalAuth: true }),
    why: /DisableLocalAuth is false/,
  },
  {
    id: "3e1f521a-d037-4709-bdd6-1f532f271a75",
    nc: mk("Microsoft.Network/azureFirewalls", "fw1", {}),
    c: mk("Microsoft.Network/azureFirewalls", "fw1", {}, { zones: ["1", "2", "3"] }),
    why: /zones is \(missing\)/,
  },
];

describe("truth tables for real built-in policies", () => {
  it("covers at least 40 built-ins", () => {
    expect(new Set(CASES.map((c) => c.id)).size).toBeGreaterThanOrEqual(40);
  });
  it.each(CASES.map((c) => [getBuiltin(c.id)?.name ?? c.id, c] as const))("%s", (_name, c) => {
    const b = getBuiltin(c.id);
    expect(b, `built-in ${c.id} in the catalog`).toBeDefined();
    const rows = [c.nc, ...(c.c ? [c.c] : []), c.na ?? (String(c.nc.type).includes("network") ? sa({}) : nsg)];
    const res = whatIf(builtinDefinition(b!), rows, { params: c.params, related: c.related, now: "2026-01-01T00:00:00Z" });
    const [nc, ...rest] = res.resources;
    expect(nc.result, nc.reason).toBe("noncompliant");
    expect(nc.reason).toMatch(c.why);
    if (c.c) expect(rest[0].result, rest[0].reason).toBe("compliant");
    const na = rest[rest.length - 1];
    expect(na.result, na.reason).toBe("notApplicable");
  });
  it("resourceGroup() without the group in the inventory is errored as not evaluable, never guessed", () => {
    const b = getBuiltin("eae5dab1-5078-4686-a091-fce0e1e13d3b")!;
    const res = whatIf(builtinDefinition(b), [mk("Microsoft.Sql/servers", "sql1", { restrictOutboundNetworkAccess: "Disabled" })]);
    expect(res.resources[0].result).toBe("errored");
    expect(res.resources[0].reason).toMatch(/not evaluable offline: resourceGroup\(\)\.managedBy/);
  });
});
