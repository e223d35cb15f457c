/**
 * Self-contained generator of ARG-shaped resources for B2 (seeded, deterministic). Types and property
 * shapes follow the ARM resource schemas the built-in policies read; values vary so that every policy
 * sees compliant, noncompliant and not-applicable rows.
 */
type Row = Record<string, unknown>;

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The ARG `resourcecontainers` rows (subscriptions and resource groups) the generated resources live in. */
export function generateContainers(): Row[] {
  const out: Row[] = [];
  for (let s = 0; s < 8; s++) {
    const sub = `00000000-0000-0000-0000-00000000000${s}`;
    out.push({
      id: `/subscriptions/${sub}`,
      name: `sub-${s}`,
      type: "microsoft.resources/subscriptions",
      subscriptionId: sub,
      location: "",
      tags: {},
      properties: { state: "Enabled" },
    });
    for (let g = 0; g < 97; g++)
      out.push({
        id: `/subscriptions/${sub}/resourceGroups/rg-${g}`,
        name: `rg-${g}`,
        type: "microsoft.resources/subscriptions/resourcegroups",
        subscriptionId: sub,
        resourceGroup: `rg-${g}`,
        location: "westeurope",
        tags: g % 5 === 0 ? { environment: "prod" } : {},
        properties: { provisioningState: "Succeeded" },
      });
  }
  return out;
}

export function generateResources(n: number, seed = 42): Row[] {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const bool = (p = 0.5) => r() < p;
  const subs = Array.from({ length: 8 }, (_, i) => `00000000-0000-0000-0000-00000000000${i}`);
  const locs = ["westeurope", "northeurope", "eastus", "eastus2", "uksouth"];
  const envs = ["prod", "dev", "test", "staging", undefined];
  const out: Row[] = [];
  const base = (type: string, path: string, i: number, extra: Row = {}): Row => {
    const sub = subs[i % subs.length];
    const rg = `rg-${i % 97}`;
    const env = pick(envs);
    return {
      id: `/subscriptions/${sub}/resourceGroups/${rg}/providers/${path}`,
      name: path.slice(path.lastIndexOf("/") + 1),
      type: type.toLowerCase(),
      location: pick(locs),
      resourceGroup: rg,
      subscriptionId: sub,
      tags: env ? { environment: env, owner: `team${i % 13}` } : {},
      ...extra,
    };
  };
  const ipRules = () =>
    Array.from({ length: Math.floor(r() * 4) }, (_, k) => ({ value: `10.0.${k}.${Math.floor(r() * 255)}`, action: "Allow" }));
  const gens: [number, (i: number) => Row][] = [
    [
      18,
      (i) =>
        base("Microsoft.Storage/storageAccounts", `Microsoft.Storage/storageAccounts/st${i}`, i, {
          kind: pick(["StorageV2", "BlobStorage", "Storage"]),
          sku: { name: pick(["Standard_LRS", "Standard_GRS", "Premium_LRS"]), tier: "Standard" },
          properties: {
            supportsHttpsTrafficOnly: bool(0.8),
            minimumTlsVersion: pick(["TLS1_0", "TLS1_1", "TLS1_2", "TLS1_2"]),
            allowBlobPublicAccess: bool(0.3),
            publicNetworkAccess: pick(["Enabled", "Disabled", undefined]),
            allowSharedKeyAccess: bool(0.6),
            networkAcls: {
              defaultAction: pick(["Allow", "Deny"]),
              bypass: "AzureServices",
              ipRules: ipRules(),
              virtualNetworkRules: bool(0.3)
                ? [{ id: `/subscriptions/x/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v${i}/subnets/s` }]
                : [],
            },
            encryption: { keySource: pick(["Microsoft.Storage", "Microsoft.Keyvault"]), requireInfrastructureEncryption: bool(0.2) },
          },
        }),
    ],
    [
      12,
      (i) =>
        base("Microsoft.Compute/virtualMachines", `Microsoft.Compute/virtualMachines/vm${i}`, i, {
          identity: bool(0.5) ? { type: "SystemAssigned" } : undefined,
          properties: {
            hardwareProfile: { vmSize: pick(["Standard_D2s_v3", "Standard_B2ms", "Standard_M128"]) },
            storageProfile: {
              imageReference: {
                publisher: pick(["Canonical", "MicrosoftWindowsServer"]),
                offer: "x",
                sku: pick(["22_04-lts", "2019-Datacenter"]),
              },
              osDisk: { osType: pick(["Linux", "Windows"]), managedDisk: { id: "/d" } },
            },
            osProfile: { computerName: `vm${i}`, linuxConfiguration: { disablePasswordAuthentication: bool(0.7) } },
            securityProfile: bool(0.3) ? { encryptionAtHost: bool(), uefiSettings: { secureBootEnabled: bool() } } : undefined,
            licenseType: pick([undefined, "Windows_Server"]),
          },
        }),
    ],
    [
      12,
      (i) =>
        base("Microsoft.Network/networkInterfaces", `Microsoft.Network/networkInterfaces/nic${i}`, i, {
          properties: {
            enableIPForwarding: bool(0.1),
            enableAcceleratedNetworking: bool(0.5),
            ipConfigurations: [
              {
                name: "ipconfig1",
                properties: {
                  privateIPAddress: "10.0.0.4",
                  subnet: {
                    id: `/subscriptions/x/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v${i % 50}/subnets/default`,
                  },
                  ...(bool(0.3)
                    ? { publicIPAddress: { id: `/subscriptions/x/resourceGroups/r/providers/Microsoft.Network/publicIPAddresses/pip${i}` } }
                    : {}),
                },
              },
            ],
          },
        }),
    ],
    [
      8,
      (i) =>
        base("Microsoft.Network/networkSecurityGroups", `Microsoft.Network/networkSecurityGroups/nsg${i}`, i, {
          properties: {
            securityRules: Array.from({ length: Math.floor(r() * 8) }, (_, k) => ({
              name: `rule${k}`,
              properties: {
                access: pick(["Allow", "Deny"]),
                direction: pick(["Inbound", "Outbound"]),
                protocol: pick(["Tcp", "*", "Udp"]),
                sourceAddressPrefix: pick(["*", "Internet", "10.0.0.0/8", "VirtualNetwork"]),
                destinationPortRange: pick(["22", "3389", "443", "*", "1-65535", "80"]),
                priority: 100 + k,
              },
            })),
          },
        }),
    ],
    [
      9,
      (i) =>
        base("Microsoft.Web/sites", `Microsoft.Web/sites/app${i}`, i, {
          kind: pick(["app", "app,linux", "functionapp", "functionapp,linux", "app,linux,container"]),
          identity: bool(0.4) ? { type: "SystemAssigned" } : undefined,
          properties: {
            httpsOnly: bool(0.7),
            publicNetworkAccess: pick(["Enabled", "Disabled", undefined]),
            clientCertEnabled: bool(0.2),
            virtualNetworkSubnetId: bool(0.3) ? "/subnets/s" : "",
            siteConfig: {
              minTlsVersion: pick(["1.0", "1.2"]),
              ftpsState: pick(["AllAllowed", "FtpsOnly", "Disabled"]),
              http20Enabled: bool(),
            },
          },
        }),
    ],
    [
      5,
      (i) =>
        base("Microsoft.KeyVault/vaults", `Microsoft.KeyVault/vaults/kv${i}`, i, {
          properties: {
            enableSoftDelete: bool(0.8),
            enablePurgeProtection: bool(0.5),
            enableRbacAuthorization: bool(0.5),
            publicNetworkAccess: pick(["Enabled", "Disabled"]),
            networkAcls: { defaultAction: pick(["Allow", "Deny"]), virtualNetworkRules: bool(0.3) ? [{ id: "/s" }] : [], ipRules: [] },
          },
        }),
    ],
    [
      3,
      (i) =>
        base("Microsoft.Sql/servers", `Microsoft.Sql/servers/sql${i}`, i, {
          properties: {
            publicNetworkAccess: pick(["Enabled", "Disabled"]),
            minimalTlsVersion: pick(["1.0", "1.2"]),
            restrictOutboundNetworkAccess: pick(["Enabled", "Disabled"]),
          },
        }),
    ],
    [
      6,
      (i) =>
        base("Microsoft.Sql/servers/databases", `Microsoft.Sql/servers/sql${i % 3000}/databases/db${i}`, i, {
          kind: "v12.0,user",
          sku: { name: pick(["S0", "GP_Gen5_2"]), tier: pick(["Standard", "GeneralPurpose"]) },
          properties: { zoneRedundant: bool(), requestedBackupStorageRedundancy: pick(["Geo", "Local"]) },
        }),
    ],
    [
      3,
      (i) =>
        base("Microsoft.ContainerRegistry/registries", `Microsoft.ContainerRegistry/registries/acr${i}`, i, {
          sku: { name: pick(["Basic", "Standard", "Premium"]) },
          properties: {
            adminUserEnabled: bool(0.3),
            anonymousPullEnabled: bool(0.1),
            publicNetworkAccess: pick(["Enabled", "Disabled"]),
            policies: { exportPolicy: { status: pick(["enabled", "disabled"]) } },
          },
        }),
    ],
    [
      2,
      (i) =>
        base("Microsoft.ContainerService/managedClusters", `Microsoft.ContainerService/managedClusters/aks${i}`, i, {
          properties: {
            kubernetesVersion: pick(["1.27.3", "1.29.2"]),
            enableRBAC: bool(0.9),
            aadProfile: bool(0.6) ? { managed: true } : undefined,
            apiServerAccessProfile: { enablePrivateCluster: bool(0.4) },
            networkProfile: { networkPlugin: pick(["azure", "kubenet"]), networkPolicy: pick(["azure", "calico", undefined]) },
            addonProfiles: { azurepolicy: { enabled: bool(0.5) } },
          },
        }),
    ],
    [
      2,
      (i) =>
        base("Microsoft.Cache/redis", `Microsoft.Cache/redis/redis${i}`, i, {
          properties: {
            enableNonSslPort: bool(0.2),
            minimumTlsVersion: pick(["1.0", "1.2"]),
            publicNetworkAccess: pick(["Enabled", "Disabled"]),
          },
        }),
    ],
    [
      2,
      (i) =>
        base("Microsoft.DocumentDB/databaseAccounts", `Microsoft.DocumentDB/databaseAccounts/cosmos${i}`, i, {
          kind: "GlobalDocumentDB",
          properties: {
            publicNetworkAccess: pick(["Enabled", "Disabled"]),
            disableLocalAuth: bool(),
            isVirtualNetworkFilterEnabled: bool(),
            ipRules: ipRules().map((x) => ({ ipAddressOrRange: x.value })),
          },
        }),
    ],
    [
      5,
      (i) =>
        base("Microsoft.Compute/disks", `Microsoft.Compute/disks/disk${i}`, i, {
          sku: { name: pick(["Premium_LRS", "Standard_LRS"]) },
          properties: {
            diskSizeGB: pick([32, 128, 512]),
            networkAccessPolicy: pick(["AllowAll", "DenyAll", "AllowPrivate"]),
            publicNetworkAccess: pick(["Enabled", "Disabled"]),
            encryption: { type: pick(["EncryptionAtRestWithPlatformKey", "EncryptionAtRestWithCustomerKey"]) },
          },
        }),
    ],
    [
      3,
      (i) =>
        base("Microsoft.Network/publicIPAddresses", `Microsoft.Network/publicIPAddresses/pip${i}`, i, {
          sku: { name: pick(["Basic", "Standard"]) },
          properties: { publicIPAllocationMethod: pick(["Static", "Dynamic"]), ipAddress: `20.1.${i % 255}.${(i * 7) % 255}` },
        }),
    ],
    [
      3,
      (i) =>
        base("Microsoft.Network/virtualNetworks", `Microsoft.Network/virtualNetworks/vnet${i}`, i, {
          properties: {
            addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
            enableDdosProtection: bool(0.2),
            subnets: [
              { name: "default", properties: { addressPrefix: "10.0.0.0/24", networkSecurityGroup: bool() ? { id: "/nsg" } : undefined } },
            ],
          },
        }),
    ],
    [
      2,
      (i) =>
        base("Microsoft.Insights/components", `Microsoft.Insights/components/ai${i}`, i, {
          kind: "web",
          properties: {
            DisableLocalAuth: bool(),
            WorkspaceResourceId: bool(0.7) ? "/ws" : undefined,
            publicNetworkAccessForIngestion: pick(["Enabled", "Disabled"]),
          },
        }),
    ],
    [
      2,
      (i) =>
        base("Microsoft.EventHub/namespaces", `Microsoft.EventHub/namespaces/eh${i}`, i, {
          sku: { name: "Standard", tier: "Standard" },
          properties: {
            disableLocalAuth: bool(),
            minimumTlsVersion: pick(["1.0", "1.2"]),
            publicNetworkAccess: pick(["Enabled", "Disabled"]),
          },
        }),
    ],
    [
      3,
      (i) => {
        const vmId = `/subscriptions/${subs[i % subs.length]}/resourceGroups/rg-${i % 97}/providers/Microsoft.Compute/virtualMachines/vm${i}`;
        const key = pick(["3b20e985-f71f-483b-b078-f30d73936d43", "bc303248-3d14-44c2-96a0-55f5c326b5fe"]);
        return {
          id: `${vmId}/providers/Microsoft.Security/assessments/${key}`,
          name: key,
          type: "microsoft.security/assessments",
          location: "",
          subscriptionId: subs[i % subs.length],
          resourceGroup: `rg-${i % 97}`,
          properties: { status: { code: pick(["Healthy", "Unhealthy", "NotApplicable"]) } },
        };
      },
    ],
  ];
  const total = gens.reduce((s, g) => s + g[0], 0);
  const cum: number[] = [];
  let acc = 0;
  for (const g of gens) cum.push((acc += g[0] / total));
  for (let i = 0; i < n; i++) {
    const x = r();
    const k = cum.findIndex((c) => x <= c);
    out.push(gens[k < 0 ? gens.length - 1 : k][1](i));
  }
  return out;
}
