import {
	AZURE_LB_IP,
	contains,
	type Interval,
	intersect,
	isPublicIp,
	PUBLIC_SPACE,
	parseCidr,
	parseIpv4,
	subtract,
	union,
} from "./ip";
import { type PortRange, parsePortSpec, portIn } from "./ports";

/**
 * Network security group evaluation as Azure does it: rules in priority order (lowest number first), the first
 * rule that matches protocol, source, destination and port decides; the default rules (AllowVnetInBound 65000,
 * AllowAzureLoadBalancerInBound 65001, DenyAllInBound 65500) close every NSG; inbound traffic to a NIC passes the
 * subnet's NSG first and then the NIC's NSG, and both must allow it. A level without an NSG lets everything through.
 */

export type Protocol = "tcp" | "udp" | "icmp";

export type AddrSpec =
	| { kind: "any" }
	| { kind: "tag"; tag: string }
	| { kind: "cidr"; iv: Interval }
	| { kind: "unparsed"; text: string };

export interface NsgRule {
	id: string;
	name: string;
	nsgId: string;
	priority: number;
	direction: "inbound" | "outbound";
	access: "allow" | "deny";
	/** lower-cased: "*", "tcp", "udp", "icmp", "esp", "ah". */
	protocol: string;
	sources: AddrSpec[];
	sourceAsgs: string[];
	destinations: AddrSpec[];
	destAsgs: string[];
	ports: PortRange[];
	isDefault: boolean;
}

export interface Nsg {
	id: string;
	name: string;
	/** Inbound rules sorted by priority, defaults included. */
	inbound: NsgRule[];
}

/** A reference to the rule that decided, for `via` and explanations. */
export interface RuleRef {
	nsgId: string;
	nsgName: string;
	rule: string;
	ruleId: string;
	priority: number;
	access: "allow" | "deny";
	level: "subnet" | "nic";
}

const str = (v: unknown): string | undefined =>
	typeof v === "string" ? v : undefined;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const rec = (v: unknown): Record<string, unknown> =>
	v && typeof v === "object" ? (v as Record<string, unknown>) : {};

export function parseAddr(text: string): AddrSpec {
	const t = text.trim();
	const l = t.toLowerCase();
	if (l === "*" || l === "any" || l === "0.0.0.0/0") return { kind: "any" };
	const iv = parseCidr(t);
	if (iv) return { kind: "cidr", iv };
	if (/^[a-z][a-z0-9.-]*$/i.test(t)) return { kind: "tag", tag: l };
	return { kind: "unparsed", text: t };
}

function addrList(single: unknown, list: unknown): AddrSpec[] {
	const items = arr(list).filter((x): x is string => typeof x === "string");
	if (typeof single === "string" && single) items.push(single);
	return items.map(parseAddr);
}

function asgIds(v: unknown): string[] {
	return arr(v)
		.map((x) => str(rec(x).id))
		.filter((x): x is string => !!x)
		.map((x) => x.toLowerCase());
}

/** The three default inbound rules every NSG carries (used when an export omits `defaultSecurityRules`). */
export function defaultInboundRules(nsgId: string, nsgName: string): NsgRule[] {
	const mk = (
		name: string,
		priority: number,
		access: "allow" | "deny",
		src: string,
		dst: string,
	): NsgRule => ({
		id: `${nsgId}/defaultSecurityRules/${name}`,
		name,
		nsgId,
		priority,
		direction: "inbound",
		access,
		protocol: "*",
		sources: [parseAddr(src)],
		sourceAsgs: [],
		destinations: [parseAddr(dst)],
		destAsgs: [],
		ports: [{ lo: 0, hi: 65535 }],
		isDefault: true,
	});
	void nsgName;
	return [
		mk("AllowVnetInBound", 65000, "allow", "VirtualNetwork", "VirtualNetwork"),
		mk(
			"AllowAzureLoadBalancerInBound",
			65001,
			"allow",
			"AzureLoadBalancer",
			"*",
		),
		mk("DenyAllInBound", 65500, "deny", "*", "*"),
	];
}

function parseRule(
	raw: unknown,
	nsgId: string,
	isDefault: boolean,
): NsgRule | undefined {
	const r = rec(raw);
	const p = rec(r.properties ?? r);
	const name = str(r.name) ?? "rule";
	const direction = (str(p.direction) ?? "").toLowerCase();
	const access = (str(p.access) ?? "").toLowerCase();
	const priority = Number(p.priority);
	if (
		(direction !== "inbound" && direction !== "outbound") ||
		(access !== "allow" && access !== "deny") ||
		!Number.isFinite(priority)
	)
		return undefined;
	return {
		id:
			str(r.id) ??
			`${nsgId}/${isDefault ? "defaultSecurityRules" : "securityRules"}/${name}`,
		name,
		nsgId,
		priority,
		direction,
		access,
		protocol: (str(p.protocol) ?? "*").toLowerCase(),
		sources: addrList(p.sourceAddressPrefix, p.sourceAddressPrefixes),
		sourceAsgs: asgIds(p.sourceApplicationSecurityGroups),
		destinations: addrList(
			p.destinationAddressPrefix,
			p.destinationAddressPrefixes,
		),
		destAsgs: asgIds(p.destinationApplicationSecurityGroups),
		ports: parsePortSpec(p.destinationPortRange, p.destinationPortRanges),
		isDefault,
	};
}

/** Parses an NSG resource (ARG row or ARM GET body). Missing default rules are synthesized. */
export function parseNsg(resource: {
	id: string;
	name?: string;
	properties?: unknown;
}): Nsg {
	const props = rec(resource.properties);
	const name = resource.name ?? resource.id.split("/").pop() ?? "";
	const custom = arr(props.securityRules).map((r) =>
		parseRule(r, resource.id, false),
	);
	let defaults = arr(props.defaultSecurityRules).map((r) =>
		parseRule(r, resource.id, true),
	);
	const all = [...custom, ...defaults].filter((r): r is NsgRule => !!r);
	if (!all.some((r) => r.isDefault && r.direction === "inbound")) {
		defaults = defaultInboundRules(resource.id, name);
		all.push(...(defaults as NsgRule[]));
	}
	const inbound = all
		.filter((r) => r.direction === "inbound")
		.sort(
			(a, b) =>
				a.priority - b.priority || Number(a.isDefault) - Number(b.isDefault),
		);
	return { id: resource.id, name, inbound };
}

/** Where a flow comes from. */
export type Source =
	/** A concrete address; `inVnet` when it belongs to the VNet address space (or a peered one). */
	| { kind: "ip"; ip: string; inVnet?: boolean; asgs?: string[] }
	/** Some NIC inside the virtual network (address unknown), optionally in application security groups. */
	| { kind: "vnet"; asgs?: string[]; ip?: string }
	/** The Azure load balancer health probe. */
	| { kind: "azureLoadBalancer" };

/** The NIC the flow is addressed to: its private IP (when known) and its application security groups. */
export interface Target {
	ip?: string;
	asgs?: string[];
}

export interface Flow {
	source: Source;
	protocol: Protocol;
	port: number;
	target?: Target;
}

function protocolMatches(rule: NsgRule, protocol: Protocol): boolean {
	return (
		rule.protocol === "*" ||
		rule.protocol === "any" ||
		rule.protocol === protocol
	);
}

function destinationMatches(rule: NsgRule, target: Target = {}): boolean {
	const targetAsgs = (target.asgs ?? []).map((a) => a.toLowerCase());
	if (rule.destAsgs.length)
		return rule.destAsgs.some((a) => targetAsgs.includes(a));
	const ip = target.ip ? parseIpv4(target.ip) : undefined;
	return rule.destinations.some((d) => {
		if (d.kind === "any") return true;
		if (d.kind === "tag") return d.tag === "virtualnetwork"; // the NIC sits in its VNet
		if (d.kind === "cidr") return ip === undefined ? true : contains(d.iv, ip); // unknown address: assume it matches
		return false;
	});
}

function sourceMatches(rule: NsgRule, src: Source): boolean {
	const srcAsgs =
		src.kind === "azureLoadBalancer"
			? []
			: (src.asgs ?? []).map((a) => a.toLowerCase());
	if (rule.sourceAsgs.length)
		return rule.sourceAsgs.some((a) => srcAsgs.includes(a));
	const ip =
		src.kind === "azureLoadBalancer"
			? AZURE_LB_IP
			: src.ip
				? parseIpv4(src.ip)
				: undefined;
	const inVnet = src.kind === "vnet" || (src.kind === "ip" && !!src.inVnet);
	return rule.sources.some((s) => {
		if (s.kind === "any") return true;
		if (s.kind === "cidr") return ip !== undefined && contains(s.iv, ip);
		if (s.kind !== "tag") return false;
		if (s.tag === "internet")
			return src.kind === "ip" && !inVnet && ip !== undefined && isPublicIp(ip);
		if (s.tag === "virtualnetwork") return inVnet;
		if (s.tag === "azureloadbalancer")
			return src.kind === "azureLoadBalancer" || ip === AZURE_LB_IP;
		return false; // other service tags (Storage, AzureCloud...) are not modelled as concrete sources
	});
}

function ruleMatchesFlow(
	rule: NsgRule,
	protocol: Protocol,
	port: number,
	target?: Target,
): boolean {
	return (
		protocolMatches(rule, protocol) &&
		portIn(rule.ports, port) &&
		destinationMatches(rule, target)
	);
}

/** First-match evaluation of one NSG's inbound rules for a concrete flow. */
export function evaluateNsg(
	nsg: Nsg,
	flow: Flow,
): { access: "allow" | "deny"; rule: NsgRule } {
	for (const rule of nsg.inbound) {
		if (
			ruleMatchesFlow(rule, flow.protocol, flow.port, flow.target) &&
			sourceMatches(rule, flow.source)
		)
			return { access: rule.access, rule };
	}
	// Unreachable while DenyAllInBound is present; kept for NSGs whose defaults were edited out of an export.
	return { access: "deny", rule: defaultInboundRules(nsg.id, nsg.name)[2] };
}

export interface Levels {
	subnetNsg?: Nsg;
	nicNsg?: Nsg;
}

export function ruleRef(
	rule: NsgRule,
	nsg: Nsg,
	level: "subnet" | "nic",
): RuleRef {
	return {
		nsgId: nsg.id,
		nsgName: nsg.name,
		rule: rule.name,
		ruleId: rule.id,
		priority: rule.priority,
		access: rule.access,
		level,
	};
}

/**
 * Inbound decision for a NIC: subnet NSG, then NIC NSG; both must allow. `decidedBy` lists the rule of each level
 * that was consulted (a level without an NSG contributes nothing).
 */
export function evaluateInbound(
	levels: Levels,
	flow: Flow,
): { allowed: boolean; decidedBy: RuleRef[] } {
	const decidedBy: RuleRef[] = [];
	for (const level of ["subnet", "nic"] as const) {
		const nsg = level === "subnet" ? levels.subnetNsg : levels.nicNsg;
		if (!nsg) continue;
		const d = evaluateNsg(nsg, flow);
		decidedBy.push(ruleRef(d.rule, nsg, level));
		if (d.access === "deny") return { allowed: false, decidedBy };
	}
	return { allowed: true, decidedBy };
}

/** The public addresses a rule's source prefixes stand for (Internet, `*`, Any, CIDRs); service tags other than Internet count as none. */
function internetSourceSet(rule: NsgRule): Interval[] {
	if (rule.sourceAsgs.length) return [];
	const ivs: Interval[] = [];
	for (const s of rule.sources) {
		if (s.kind === "any" || (s.kind === "tag" && s.tag === "internet"))
			return PUBLIC_SPACE;
		if (s.kind === "cidr") ivs.push(s.iv);
	}
	return intersect(union(ivs), PUBLIC_SPACE);
}

/**
 * Which public (Internet) source addresses one NSG lets through to `port`: rules are walked in priority order;
 * each matching rule claims the addresses not claimed by an earlier one, allow or deny.
 */
export function internetAllowedByNsg(
	nsg: Nsg,
	protocol: Protocol,
	port: number,
	target?: Target,
): { allowed: Interval[]; allowRules: NsgRule[] } {
	let remaining: Interval[] = PUBLIC_SPACE;
	let allowed: Interval[] = [];
	const allowRules: NsgRule[] = [];
	for (const rule of nsg.inbound) {
		if (!remaining.length) break;
		if (!ruleMatchesFlow(rule, protocol, port, target)) continue;
		const claimed = intersect(internetSourceSet(rule), remaining);
		if (!claimed.length) continue;
		if (rule.access === "allow") {
			allowed = union([...allowed, ...claimed]);
			allowRules.push(rule);
		}
		remaining = subtract(remaining, claimed);
	}
	return { allowed, allowRules };
}

/** Public addresses allowed through both levels (a missing level allows all). */
export function internetAllowed(
	levels: Levels,
	protocol: Protocol,
	port: number,
	target?: Target,
): { allowed: Interval[]; via: RuleRef[] } {
	let allowed: Interval[] = PUBLIC_SPACE;
	const via: RuleRef[] = [];
	for (const level of ["subnet", "nic"] as const) {
		const nsg = level === "subnet" ? levels.subnetNsg : levels.nicNsg;
		if (!nsg) continue;
		const r = internetAllowedByNsg(nsg, protocol, port, target);
		allowed = intersect(allowed, r.allowed);
		for (const rule of r.allowRules) via.push(ruleRef(rule, nsg, level));
	}
	return { allowed, via };
}

/** Every port boundary the rules of these NSGs mention: evaluation is constant between consecutive boundaries. */
export function portBoundaries(nsgs: (Nsg | undefined)[]): number[] {
	const b = new Set<number>([0, 65536]);
	for (const nsg of nsgs)
		if (nsg)
			for (const r of nsg.inbound)
				for (const p of r.ports) {
					b.add(p.lo);
					b.add(p.hi + 1);
				}
	return [...b].sort((x, y) => x - y);
}
