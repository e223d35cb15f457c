import { describe, expect, it } from "vitest";
import { PUBLIC_SPACE, size } from "./ip";
import {
	evaluateInbound,
	type Flow,
	internetAllowed,
	type Levels,
	parseNsg,
} from "./nsg";

/** Builds an NSG in the ARM shape; each rule: [name, priority, access, protocol, source(s), port(s), extra]. */
type R = [
	string,
	number,
	"Allow" | "Deny",
	string,
	string | string[],
	string | string[],
	Record<string, unknown>?,
];
function nsg(name: string, rules: R[], opts: { withDefaults?: boolean } = {}) {
	const id = `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/${name}`;
	const mk = ([n, priority, access, protocol, src, port, extra]: R) => ({
		name: n,
		properties: {
			priority,
			access,
			direction: "Inbound",
			protocol,
			sourcePortRange: "*",
			...(Array.isArray(src)
				? { sourceAddressPrefixes: src, sourceAddressPrefix: "" }
				: { sourceAddressPrefix: src, sourceAddressPrefixes: [] }),
			...(Array.isArray(port)
				? { destinationPortRanges: port, destinationPortRange: "" }
				: { destinationPortRange: port, destinationPortRanges: [] }),
			destinationAddressPrefix: "*",
			...extra,
		},
	});
	const defaults = [
		[
			"AllowVnetInBound",
			65000,
			"Allow",
			"*",
			"VirtualNetwork",
			"*",
			{ destinationAddressPrefix: "VirtualNetwork" },
		],
		[
			"AllowAzureLoadBalancerInBound",
			65001,
			"Allow",
			"*",
			"AzureLoadBalancer",
			"*",
		],
		["DenyAllInBound", 65500, "Deny", "*", "*", "*"],
	] as R[];
	return parseNsg({
		id,
		name,
		properties: {
			securityRules: rules.map(mk),
			...(opts.withDefaults === false
				? {}
				: { defaultSecurityRules: defaults.map(mk) }),
		},
	});
}

const ATTACKER = "203.0.113.50";
const tcp = (port: number, ip = ATTACKER, extra: Partial<Flow> = {}): Flow => ({
	source: { kind: "ip", ip },
	protocol: "tcp",
	port,
	...extra,
});
const asg = (n: string) =>
	`/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/${n}`;

interface Case {
	name: string;
	levels: Levels;
	flow: Flow;
	allowed: boolean;
	/** the rule that decided, last level consulted */
	rule?: string;
}

const sshAny = nsg("nsg-ssh-any", [
	["allow-ssh", 100, "Allow", "Tcp", "*", "22"],
]);
const cases: Case[] = [
	{
		name: "SSH from Any is exposed",
		levels: { nicNsg: sshAny },
		flow: tcp(22),
		allowed: true,
		rule: "allow-ssh",
	},
	{
		name: "SSH from 'Any' keyword is exposed",
		levels: { nicNsg: nsg("n", [["ssh", 100, "Allow", "Tcp", "Any", "22"]]) },
		flow: tcp(22),
		allowed: true,
		rule: "ssh",
	},
	{
		name: "SSH from 0.0.0.0/0 is exposed",
		levels: {
			nicNsg: nsg("n", [["ssh", 100, "Allow", "Tcp", "0.0.0.0/0", "22"]]),
		},
		flow: tcp(22),
		allowed: true,
		rule: "ssh",
	},
	{
		name: "SSH from Internet tag is exposed",
		levels: {
			nicNsg: nsg("n", [["ssh", 100, "Allow", "Tcp", "Internet", "22"]]),
		},
		flow: tcp(22),
		allowed: true,
		rule: "ssh",
	},
	{
		name: "port not opened falls to DenyAllInBound",
		levels: { nicNsg: sshAny },
		flow: tcp(3389),
		allowed: false,
		rule: "DenyAllInBound",
	},
	{
		name: "higher-priority deny wins",
		levels: {
			nicNsg: nsg("n", [
				["deny-ssh", 100, "Deny", "Tcp", "*", "22"],
				["allow-ssh", 200, "Allow", "Tcp", "*", "22"],
			]),
		},
		flow: tcp(22),
		allowed: false,
		rule: "deny-ssh",
	},
	{
		name: "higher-priority allow wins over later deny",
		levels: {
			nicNsg: nsg("n", [
				["allow-ssh", 100, "Allow", "Tcp", "*", "22"],
				["deny-all", 200, "Deny", "*", "*", "*"],
			]),
		},
		flow: tcp(22),
		allowed: true,
		rule: "allow-ssh",
	},
	{
		name: "priority order is numeric, not array order",
		levels: {
			nicNsg: nsg("n", [
				["allow", 300, "Allow", "Tcp", "*", "22"],
				["deny", 250, "Deny", "Tcp", "*", "22"],
			]),
		},
		flow: tcp(22),
		allowed: false,
		rule: "deny",
	},
	{
		name: "protocol is case-insensitive (TCP)",
		levels: { nicNsg: nsg("n", [["ssh", 100, "Allow", "TCP", "*", "22"]]) },
		flow: tcp(22),
		allowed: true,
		rule: "ssh",
	},
	{
		name: "UDP rule does not open TCP",
		levels: { nicNsg: nsg("n", [["dns", 100, "Allow", "Udp", "*", "53"]]) },
		flow: tcp(53),
		allowed: false,
		rule: "DenyAllInBound",
	},
	{
		name: "protocol * opens UDP too",
		levels: { nicNsg: nsg("n", [["all", 100, "Allow", "*", "*", "53"]]) },
		flow: { ...tcp(53), protocol: "udp" },
		allowed: true,
		rule: "all",
	},
	{
		name: "port range includes its lower end",
		levels: {
			nicNsg: nsg("n", [["r", 100, "Allow", "Tcp", "*", "9000-9010"]]),
		},
		flow: tcp(9000),
		allowed: true,
		rule: "r",
	},
	{
		name: "port range includes its upper end",
		levels: {
			nicNsg: nsg("n", [["r", 100, "Allow", "Tcp", "*", "9000-9010"]]),
		},
		flow: tcp(9010),
		allowed: true,
		rule: "r",
	},
	{
		name: "port just outside a range is not opened",
		levels: {
			nicNsg: nsg("n", [["r", 100, "Allow", "Tcp", "*", "9000-9010"]]),
		},
		flow: tcp(9011),
		allowed: false,
		rule: "DenyAllInBound",
	},
	{
		name: "port list (destinationPortRanges) matches a listed port",
		levels: {
			nicNsg: nsg("n", [
				["l", 100, "Allow", "Tcp", "*", ["8080-8084", "8086"]],
			]),
		},
		flow: tcp(8086),
		allowed: true,
		rule: "l",
	},
	{
		name: "port list does not match a gap",
		levels: {
			nicNsg: nsg("n", [
				["l", 100, "Allow", "Tcp", "*", ["8080-8084", "8086"]],
			]),
		},
		flow: tcp(8085),
		allowed: false,
		rule: "DenyAllInBound",
	},
	{
		name: "port * opens every port",
		levels: { nicNsg: nsg("n", [["any", 100, "Allow", "*", "*", "*"]]) },
		flow: tcp(31337),
		allowed: true,
		rule: "any",
	},
	{
		name: "CIDR source matches an address inside",
		levels: {
			nicNsg: nsg("n", [
				["office", 100, "Allow", "Tcp", "198.51.100.0/24", "22"],
			]),
		},
		flow: tcp(22, "198.51.100.7"),
		allowed: true,
		rule: "office",
	},
	{
		name: "CIDR source does not match an address outside",
		levels: {
			nicNsg: nsg("n", [
				["office", 100, "Allow", "Tcp", "198.51.100.0/24", "22"],
			]),
		},
		flow: tcp(22),
		allowed: false,
		rule: "DenyAllInBound",
	},
	{
		name: "source prefix list matches its second entry",
		levels: {
			nicNsg: nsg("n", [
				[
					"two",
					100,
					"Allow",
					"Tcp",
					["198.51.100.0/24", "203.0.113.0/24"],
					"22",
				],
			]),
		},
		flow: tcp(22),
		allowed: true,
		rule: "two",
	},
	{
		name: "bare address prefix is a /32",
		levels: {
			nicNsg: nsg("n", [["one", 100, "Allow", "Tcp", "203.0.113.50", "22"]]),
		},
		flow: tcp(22, "203.0.113.51"),
		allowed: false,
		rule: "DenyAllInBound",
	},
	{
		name: "Internet tag does not match a VNet address",
		levels: {
			nicNsg: nsg("n", [["deny-int", 100, "Deny", "*", "Internet", "*"]]),
		},
		flow: {
			source: { kind: "ip", ip: "10.0.1.4", inVnet: true },
			protocol: "tcp",
			port: 22,
		},
		allowed: true,
		rule: "AllowVnetInBound",
	},
	{
		name: "AllowVnetInBound lets VNet traffic in by default",
		levels: { nicNsg: nsg("n", []) },
		flow: { source: { kind: "vnet" }, protocol: "tcp", port: 5432 },
		allowed: true,
		rule: "AllowVnetInBound",
	},
	{
		name: "VirtualNetwork tag does not match the Internet",
		levels: {
			nicNsg: nsg("n", [
				["vnet-ssh", 100, "Allow", "Tcp", "VirtualNetwork", "22"],
			]),
		},
		flow: tcp(22),
		allowed: false,
		rule: "DenyAllInBound",
	},
	{
		name: "AllowAzureLoadBalancerInBound admits the probe",
		levels: { nicNsg: nsg("n", []) },
		flow: { source: { kind: "azureLoadBalancer" }, protocol: "tcp", port: 80 },
		allowed: true,
		rule: "AllowAzureLoadBalancerInBound",
	},
	{
		name: "AzureLoadBalancer tag does not admit the Internet",
		levels: {
			nicNsg: nsg("n", [["lb", 100, "Allow", "*", "AzureLoadBalancer", "*"]]),
		},
		flow: tcp(80),
		allowed: false,
		rule: "DenyAllInBound",
	},
	{
		name: "custom deny overrides the default VNet allow",
		levels: {
			nicNsg: nsg("n", [["no-vnet", 4000, "Deny", "*", "VirtualNetwork", "*"]]),
		},
		flow: { source: { kind: "vnet" }, protocol: "tcp", port: 22 },
		allowed: false,
		rule: "no-vnet",
	},
	{
		name: "subnet NSG allows, NIC NSG denies: denied",
		levels: { subnetNsg: sshAny, nicNsg: nsg("nic", []) },
		flow: tcp(22),
		allowed: false,
		rule: "DenyAllInBound",
	},
	{
		name: "subnet NSG denies, NIC NSG allows: denied at the subnet",
		levels: { subnetNsg: nsg("sub", []), nicNsg: sshAny },
		flow: tcp(22),
		allowed: false,
		rule: "DenyAllInBound",
	},
	{
		name: "both levels allow: allowed",
		levels: {
			subnetNsg: nsg("sub", [["web", 100, "Allow", "Tcp", "*", "22"]]),
			nicNsg: sshAny,
		},
		flow: tcp(22),
		allowed: true,
		rule: "allow-ssh",
	},
	{
		name: "only a subnet NSG: it alone decides",
		levels: { subnetNsg: sshAny },
		flow: tcp(22),
		allowed: true,
		rule: "allow-ssh",
	},
	{
		name: "no NSG at either level: allowed",
		levels: {},
		flow: tcp(3389),
		allowed: true,
	},
	{
		name: "destination ASG rule applies to a member NIC",
		levels: {
			nicNsg: nsg("n", [
				[
					"web",
					100,
					"Allow",
					"Tcp",
					"*",
					"443",
					{
						destinationAddressPrefix: "",
						destinationApplicationSecurityGroups: [{ id: asg("asg-web") }],
					},
				],
			]),
		},
		flow: tcp(443, ATTACKER, { target: { asgs: [asg("asg-web")] } }),
		allowed: true,
		rule: "web",
	},
	{
		name: "destination ASG rule skips a non-member NIC",
		levels: {
			nicNsg: nsg("n", [
				[
					"web",
					100,
					"Allow",
					"Tcp",
					"*",
					"443",
					{
						destinationAddressPrefix: "",
						destinationApplicationSecurityGroups: [{ id: asg("asg-web") }],
					},
				],
			]),
		},
		flow: tcp(443, ATTACKER, { target: { asgs: [asg("asg-db")] } }),
		allowed: false,
		rule: "DenyAllInBound",
	},
	{
		name: "source ASG rule admits a member source",
		levels: {
			nicNsg: nsg("n", [
				[
					"deny-app",
					100,
					"Deny",
					"Tcp",
					"",
					"5432",
					{ sourceApplicationSecurityGroups: [{ id: asg("asg-app") }] },
				],
			]),
		},
		flow: {
			source: { kind: "vnet", asgs: [asg("ASG-APP")] },
			protocol: "tcp",
			port: 5432,
		},
		allowed: false,
		rule: "deny-app",
	},
	{
		name: "source ASG rule never matches the Internet",
		levels: {
			nicNsg: nsg("n", [
				[
					"app",
					100,
					"Allow",
					"Tcp",
					"",
					"5432",
					{ sourceApplicationSecurityGroups: [{ id: asg("asg-app") }] },
				],
			]),
		},
		flow: tcp(5432),
		allowed: false,
		rule: "DenyAllInBound",
	},
	{
		name: "destination CIDR matches the NIC's private IP",
		levels: {
			nicNsg: nsg("n", [
				[
					"to-web",
					100,
					"Allow",
					"Tcp",
					"*",
					"80",
					{ destinationAddressPrefix: "10.0.1.0/24" },
				],
			]),
		},
		flow: tcp(80, ATTACKER, { target: { ip: "10.0.1.4" } }),
		allowed: true,
		rule: "to-web",
	},
	{
		name: "destination CIDR skips another subnet's NIC",
		levels: {
			nicNsg: nsg("n", [
				[
					"to-web",
					100,
					"Allow",
					"Tcp",
					"*",
					"80",
					{ destinationAddressPrefix: "10.0.1.0/24" },
				],
			]),
		},
		flow: tcp(80, ATTACKER, { target: { ip: "10.0.2.4" } }),
		allowed: false,
		rule: "DenyAllInBound",
	},
	{
		name: "export without defaultSecurityRules still ends in DenyAllInBound",
		levels: {
			nicNsg: nsg("n", [["ssh", 100, "Allow", "Tcp", "*", "22"]], {
				withDefaults: false,
			}),
		},
		flow: tcp(23),
		allowed: false,
		rule: "DenyAllInBound",
	},
	{
		name: "ICMP allow does not open TCP",
		levels: { nicNsg: nsg("n", [["ping", 100, "Allow", "Icmp", "*", "*"]]) },
		flow: tcp(22),
		allowed: false,
		rule: "DenyAllInBound",
	},
];

describe("NSG evaluation table", () => {
	it("has at least 30 cases", () =>
		expect(cases.length).toBeGreaterThanOrEqual(30));
	it.each(cases)("$name", (c) => {
		const d = evaluateInbound(c.levels, c.flow);
		expect(d.allowed).toBe(c.allowed);
		if (c.rule) expect(d.decidedBy[d.decidedBy.length - 1]?.rule).toBe(c.rule);
		else expect(d.decidedBy).toEqual([]);
	});
});

describe("Internet source sets", () => {
	it("SSH from Any: the whole public Internet reaches 22", () => {
		const r = internetAllowed({ nicNsg: sshAny }, "tcp", 22);
		expect(size(r.allowed)).toBe(size(PUBLIC_SPACE));
		expect(r.via.map((v) => v.rule)).toEqual(["allow-ssh"]);
	});
	it("a deny of one block before allow-any leaves the rest of the Internet", () => {
		const n = nsg("n", [
			["deny-bad", 100, "Deny", "Tcp", "203.0.113.0/24", "22"],
			["allow", 200, "Allow", "Tcp", "*", "22"],
		]);
		const r = internetAllowed({ nicNsg: n }, "tcp", 22);
		expect(size(r.allowed)).toBe(size(PUBLIC_SPACE) - 256);
	});
	it("two halves of the address space denied close the port", () => {
		const n = nsg("n", [
			["d1", 100, "Deny", "Tcp", "0.0.0.0/1", "22"],
			["d2", 110, "Deny", "Tcp", "128.0.0.0/1", "22"],
			["allow", 200, "Allow", "Tcp", "*", "22"],
		]);
		expect(internetAllowed({ nicNsg: n }, "tcp", 22).allowed).toEqual([]);
	});
	it("a private-range allow admits no Internet address", () => {
		const n = nsg("n", [["corp", 100, "Allow", "Tcp", "10.0.0.0/8", "22"]]);
		expect(internetAllowed({ nicNsg: n }, "tcp", 22).allowed).toEqual([]);
	});
	it("subnet and NIC allow sets intersect", () => {
		const sub = nsg("sub", [
			["a", 100, "Allow", "Tcp", "198.51.100.0/24", "22"],
		]);
		const nic = nsg("nic", [
			["b", 100, "Allow", "Tcp", "198.51.100.128/25", "22"],
		]);
		expect(
			size(internetAllowed({ subnetNsg: sub, nicNsg: nic }, "tcp", 22).allowed),
		).toBe(128);
	});
});
