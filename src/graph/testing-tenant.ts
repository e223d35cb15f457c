import type { Alert, SubAssessment } from "../domain/records";
import type { ArmResource } from "../domain/resource";

/**
 * A small hand-built tenant in ARG shapes with planted exposures and attack paths, for tests and the docs.
 * Planted: RDP open on vm-web-1 whose identity reads kv-payments; vm-web-1 -> VNet -> vm-app-1 -> uai-app ->
 * st-cardholder; sql-prod open to the Internet; and several traps that must NOT be exposed.
 */
const SUB = "/subscriptions/00000000-0000-0000-0000-000000000001";
export const rg = (name: string) => `${SUB}/resourceGroups/${name}`;
const net = (t: string, name: string, g = "rg-net") =>
	`${rg(g)}/providers/Microsoft.Network/${t}/${name}`;
export const ids = {
	vnet: net("virtualNetworks", "vnet-app"),
	subnetWeb: `${net("virtualNetworks", "vnet-app")}/subnets/web`,
	subnetApp: `${net("virtualNetworks", "vnet-app")}/subnets/app`,
	nsgWebSubnet: net("networkSecurityGroups", "nsg-web-subnet"),
	nsgWebNic: net("networkSecurityGroups", "nsg-web-nic"),
	nsgSshDenied: net("networkSecurityGroups", "nsg-ssh-denied"),
	nsgRange: net("networkSecurityGroups", "nsg-range"),
	nsgPool: net("networkSecurityGroups", "nsg-pool"),
	pipWeb: net("publicIPAddresses", "pip-web-1"),
	pipIsolated: net("publicIPAddresses", "pip-isolated"),
	pipDenied: net("publicIPAddresses", "pip-denied"),
	pipRange: net("publicIPAddresses", "pip-range"),
	pipLb: net("publicIPAddresses", "pip-lb"),
	lb: net("loadBalancers", "lb-public"),
	nicWeb: net("networkInterfaces", "nic-web-1"),
	nicApp: net("networkInterfaces", "nic-app-1"),
	nicIsolated: net("networkInterfaces", "nic-isolated"),
	nicDenied: net("networkInterfaces", "nic-denied"),
	nicRange: net("networkInterfaces", "nic-range"),
	nicPool: net("networkInterfaces", "nic-pool-1"),
	vmWeb: `${rg("rg-web")}/providers/Microsoft.Compute/virtualMachines/vm-web-1`,
	vmApp: `${rg("rg-app")}/providers/Microsoft.Compute/virtualMachines/vm-app-1`,
	vmIsolated: `${rg("rg-web")}/providers/Microsoft.Compute/virtualMachines/vm-isolated`,
	vmDenied: `${rg("rg-web")}/providers/Microsoft.Compute/virtualMachines/vm-denied`,
	vmRange: `${rg("rg-web")}/providers/Microsoft.Compute/virtualMachines/vm-range`,
	vmPool: `${rg("rg-web")}/providers/Microsoft.Compute/virtualMachines/vm-pool-1`,
	uaiApp: `${rg("rg-app")}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai-app`,
	kv: `${rg("rg-data")}/providers/Microsoft.KeyVault/vaults/kv-payments`,
	stCardholder: `${rg("rg-data")}/providers/Microsoft.Storage/storageAccounts/stcardholder`,
	stLogs: `${rg("rg-data")}/providers/Microsoft.Storage/storageAccounts/stlogs`,
	sqlProd: `${rg("rg-data")}/providers/Microsoft.Sql/servers/sql-prod`,
	sqlDev: `${rg("rg-data")}/providers/Microsoft.Sql/servers/sql-dev`,
};

const res = (
	id: string,
	type: string,
	properties: Record<string, unknown>,
	extra: Partial<ArmResource> = {},
): ArmResource => ({
	id,
	name: id.split("/").pop() as string,
	type: type.toLowerCase(),
	location: "westeurope",
	resourceGroup: id.split("/")[4],
	subscriptionId: "00000000-0000-0000-0000-000000000001",
	properties,
	...extra,
});

type RuleSpec = [
	name: string,
	priority: number,
	access: "Allow" | "Deny",
	protocol: string,
	source: string,
	port: string,
];
const nsg = (id: string, rules: RuleSpec[]) =>
	res(id, "microsoft.network/networksecuritygroups", {
		securityRules: rules.map(
			([name, priority, access, protocol, source, port]) => ({
				name,
				id: `${id}/securityRules/${name}`,
				properties: {
					priority,
					access,
					direction: "Inbound",
					protocol,
					sourceAddressPrefix: source,
					sourcePortRange: "*",
					destinationAddressPrefix: "*",
					destinationPortRange: port,
				},
			}),
		),
	});
const pip = (id: string, sku = "Standard") =>
	res(
		id,
		"microsoft.network/publicipaddresses",
		{ publicIPAllocationMethod: "Static" },
		{ sku: { name: sku } },
	);
const nic = (
	id: string,
	vm: string,
	subnet: string,
	o: { pip?: string; nsg?: string; pools?: string[]; ip?: string } = {},
) =>
	res(id, "microsoft.network/networkinterfaces", {
		virtualMachine: { id: vm },
		...(o.nsg ? { networkSecurityGroup: { id: o.nsg } } : {}),
		ipConfigurations: [
			{
				name: "ipconfig1",
				id: `${id}/ipConfigurations/ipconfig1`,
				properties: {
					privateIPAddress: o.ip ?? "10.0.1.4",
					subnet: { id: subnet },
					...(o.pip ? { publicIPAddress: { id: o.pip } } : {}),
					...(o.pools
						? {
								loadBalancerBackendAddressPools: o.pools.map((p) => ({
									id: p,
								})),
							}
						: {}),
				},
			},
		],
	});
const vm = (id: string, nicId: string, extra: Partial<ArmResource> = {}) =>
	res(
		id,
		"microsoft.compute/virtualmachines",
		{ networkProfile: { networkInterfaces: [{ id: nicId }] } },
		extra,
	);
const ra = (
	name: string,
	principalId: string,
	roleGuid: string,
	scope: string,
) =>
	res(
		`${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
		"microsoft.authorization/roleassignments",
		{
			principalId,
			roleDefinitionId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`,
			scope,
		},
	);

export const ROLE = {
	kvSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
	blobReader: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
	reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
};

export function plantedTenant(): ArmResource[] {
	const pool = `${ids.lb}/backendAddressPools/web-pool`;
	const fe = `${ids.lb}/frontendIPConfigurations/fe-public`;
	return [
		res(ids.vnet, "microsoft.network/virtualnetworks", {
			addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
			subnets: [
				{
					name: "web",
					id: ids.subnetWeb,
					properties: {
						addressPrefix: "10.0.1.0/24",
						networkSecurityGroup: { id: ids.nsgWebSubnet },
					},
				},
				{
					name: "app",
					id: ids.subnetApp,
					properties: { addressPrefix: "10.0.2.0/24" },
				},
			],
		}),
		nsg(ids.nsgWebSubnet, [
			["allow-rdp", 100, "Allow", "Tcp", "*", "3389"],
			["allow-https", 110, "Allow", "Tcp", "Internet", "443"],
		]),
		nsg(ids.nsgWebNic, [["allow-rdp-any", 100, "Allow", "Tcp", "Any", "3389"]]),
		nsg(ids.nsgSshDenied, [
			["deny-ssh", 100, "Deny", "Tcp", "*", "22"],
			["allow-ssh", 200, "Allow", "Tcp", "*", "22"],
		]),
		nsg(ids.nsgRange, [
			["allow-range", 100, "Allow", "Tcp", "0.0.0.0/0", "9000-9010"],
		]),
		nsg(ids.nsgPool, [
			["allow-8080", 100, "Allow", "Tcp", "Internet", "8080"],
			["allow-22-office", 110, "Allow", "Tcp", "198.51.100.0/24", "22"],
		]),
		pip(ids.pipWeb),
		pip(ids.pipIsolated),
		pip(ids.pipDenied),
		pip(ids.pipRange, "Basic"),
		pip(ids.pipLb),
		res(
			ids.lb,
			"microsoft.network/loadbalancers",
			{
				frontendIPConfigurations: [
					{
						name: "fe-public",
						id: fe,
						properties: { publicIPAddress: { id: ids.pipLb } },
					},
				],
				backendAddressPools: [{ name: "web-pool", id: pool }],
				loadBalancingRules: [
					{
						name: "http",
						id: `${ids.lb}/loadBalancingRules/http`,
						properties: {
							frontendIPConfiguration: { id: fe },
							backendAddressPool: { id: pool },
							protocol: "Tcp",
							frontendPort: 80,
							backendPort: 8080,
						},
					},
				],
			},
			{ sku: { name: "Standard" } },
		),
		nic(ids.nicWeb, ids.vmWeb, ids.subnetWeb, {
			pip: ids.pipWeb,
			nsg: ids.nsgWebNic,
		}),
		nic(ids.nicApp, ids.vmApp, ids.subnetApp, { ip: "10.0.2.4" }),
		nic(ids.nicIsolated, ids.vmIsolated, ids.subnetApp, {
			pip: ids.pipIsolated,
			ip: "10.0.2.5",
		}),
		nic(ids.nicDenied, ids.vmDenied, ids.subnetApp, {
			pip: ids.pipDenied,
			nsg: ids.nsgSshDenied,
			ip: "10.0.2.6",
		}),
		nic(ids.nicRange, ids.vmRange, ids.subnetApp, {
			pip: ids.pipRange,
			nsg: ids.nsgRange,
			ip: "10.0.2.7",
		}),
		nic(ids.nicPool, ids.vmPool, ids.subnetApp, {
			pools: [pool],
			nsg: ids.nsgPool,
			ip: "10.0.2.8",
		}),
		vm(ids.vmWeb, ids.nicWeb, {
			identity: { type: "SystemAssigned", principalId: "p-web-1" },
			tags: { Environment: "Production" },
		}),
		vm(ids.vmApp, ids.nicApp, {
			identity: {
				type: "UserAssigned",
				userAssignedIdentities: { [ids.uaiApp]: { principalId: "p-uai-app" } },
			},
		}),
		vm(ids.vmIsolated, ids.nicIsolated),
		vm(ids.vmDenied, ids.nicDenied),
		vm(ids.vmRange, ids.nicRange),
		vm(ids.vmPool, ids.nicPool, {
			identity: { type: "SystemAssigned", principalId: "p-pool-1" },
		}),
		res(ids.uaiApp, "microsoft.managedidentity/userassignedidentities", {
			principalId: "p-uai-app",
		}),
		res(
			ids.kv,
			"microsoft.keyvault/vaults",
			{
				publicNetworkAccess: "Disabled",
				networkAcls: { defaultAction: "Deny" },
			},
			{ tags: { CRITICALITY: "High" } },
		),
		res(
			ids.stCardholder,
			"microsoft.storage/storageaccounts",
			{ networkAcls: { defaultAction: "Deny" } },
			{ tags: { dataclassification: "PCI" } },
		),
		res(ids.stLogs, "microsoft.storage/storageaccounts", {
			networkAcls: { defaultAction: "Allow" },
		}),
		res(
			ids.sqlProd,
			"microsoft.sql/servers",
			{
				publicNetworkAccess: "Enabled",
				firewallRules: [
					{
						name: "all",
						properties: {
							startIpAddress: "0.0.0.0",
							endIpAddress: "255.255.255.255",
						},
					},
				],
			},
			{ tags: { environment: "PROD" } },
		),
		res(
			ids.sqlDev,
			"microsoft.sql/servers",
			{
				publicNetworkAccess: "Enabled",
				firewallRules: [
					{
						name: "azure",
						properties: { startIpAddress: "0.0.0.0", endIpAddress: "0.0.0.0" },
					},
				],
			},
			{ tags: { environment: "prod" } },
		),
		ra("ra-web-kv", "p-web-1", ROLE.kvSecretsUser, ids.kv),
		ra("ra-app-st", "p-uai-app", ROLE.blobReader, rg("rg-data")),
		ra("ra-pool-reader", "p-pool-1", ROLE.reader, rg("rg-data")),
	];
}

export const NOW = "2026-03-11T15:00:00Z";

export function plantedAlerts(): Alert[] {
	return [
		{
			id: "al-1",
			alertType: "VM_RDPBruteForce",
			displayName: "Failed RDP brute force attack",
			severity: "High",
			status: "Active",
			startTime: "2026-03-11T12:00:00Z",
			resourceIds: [ids.vmWeb.toUpperCase()],
		},
		{
			id: "al-2",
			alertType: "VM_OldAlert",
			displayName: "Suspicious process",
			severity: "High",
			status: "Active",
			startTime: "2025-01-01T00:00:00Z",
			resourceIds: [ids.vmApp],
		},
	];
}

export function plantedVulns(): SubAssessment[] {
	return [
		{
			id: "sa-1",
			parentKey: "1195afff",
			resourceId: ids.vmPool,
			findingId: "CVE-2019-0708",
			displayName: "BlueKeep",
			status: "Unhealthy",
			severity: "High",
			cves: ["CVE-2019-0708"],
			cvss: 9.8,
		},
	];
}
