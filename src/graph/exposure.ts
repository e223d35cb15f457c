import type { ArmResource } from "../domain/resource";
import { idKey, typeKey } from "../domain/resource";
import {
	arr,
	Inventory,
	parentId,
	props,
	rec,
	refId,
	str,
	T,
} from "./inventory";
import {
	covers,
	type Interval,
	intersect,
	PUBLIC_SPACE,
	parseCidr,
	size,
	union,
} from "./ip";
import {
	internetAllowed,
	type Levels,
	type Protocol,
	portBoundaries,
	type RuleRef,
	type Target,
} from "./nsg";
import {
	ALL_PORTS,
	formatPortRange,
	intersectRanges,
	mergeRanges,
	type PortRange,
} from "./ports";

/** One resource reachable from the Internet: the ports and protocol that reach it and what lets them through. */
export interface Exposure {
	resourceId: string;
	resourceName: string;
	resourceType: string;
	/** "22", "9000-9010" (a range stays a range). */
	ports: string[];
	protocol: "Tcp" | "Udp" | "*";
	/** Hops (public IP, load balancer, NIC...) and NSG rule ids / settings that let the traffic through, in order. */
	via: string[];
	/** "Internet", or the share of public IPv4 space admitted when rules narrow it. */
	sources: string;
}

/**
 * A source set counts as "the Internet" when it holds at least this share of public IPv4 space: a deny of a few
 * bad ranges does not close a port, and an allow for a partner's /24 does not open one to the world.
 */
export const INTERNET_SHARE = 0.5;
const PUBLIC_SIZE = size(PUBLIC_SPACE);

interface IpConf {
	id?: string;
	subnetId?: string;
	publicIpId?: string;
	/** VMSS instance-level public IP (publicIPAddressConfiguration). */
	instancePublicIp?: boolean;
	pools: string[];
	natRules: string[];
	asgs: string[];
	privateIp?: string;
}
interface NicLike {
	ownerId: string;
	nicId?: string;
	nsgId?: string;
	ipConfigs: IpConf[];
}

function ipConf(raw: unknown): IpConf {
	const r = rec(raw);
	const p = rec(r.properties);
	const ids = (v: unknown) =>
		arr(v)
			.map(refId)
			.filter((x): x is string => !!x);
	return {
		id: str(r.id),
		subnetId: refId(p.subnet),
		publicIpId: refId(p.publicIPAddress),
		instancePublicIp: !!p.publicIPAddressConfiguration,
		pools: ids(p.loadBalancerBackendAddressPools),
		natRules: ids(p.loadBalancerInboundNatRules),
		asgs: ids(p.applicationSecurityGroups).map((x) => x.toLowerCase()),
		privateIp: str(p.privateIPAddress),
	};
}

export function nicLikes(inv: Inventory): NicLike[] {
	const out: NicLike[] = [];
	for (const nic of inv.of(T.nic)) {
		const p = props(nic);
		out.push({
			ownerId: inv.nicOwner.get(idKey(nic.id)) ?? nic.id,
			nicId: nic.id,
			nsgId: refId(p.networkSecurityGroup),
			ipConfigs: arr(p.ipConfigurations).map(ipConf),
		});
	}
	for (const ss of inv.of(T.vmss)) {
		const np = rec(rec(props(ss).virtualMachineProfile).networkProfile);
		for (const c of arr(np.networkInterfaceConfigurations)) {
			const cp = rec(rec(c).properties);
			out.push({
				ownerId: ss.id,
				nsgId: refId(cp.networkSecurityGroup),
				ipConfigs: arr(cp.ipConfigurations).map(ipConf),
			});
		}
	}
	return out;
}

export function levelsFor(inv: Inventory, nl: NicLike, ic: IpConf): Levels {
	return {
		subnetNsg: inv.nsg(
			ic.subnetId ? inv.subnetNsg.get(idKey(ic.subnetId)) : undefined,
		),
		nicNsg: inv.nsg(nl.nsgId),
	};
}

interface PortScan {
	ranges: PortRange[];
	via: RuleRef[];
	allowed: Interval[];
}

/** Ports (within `within`) that at least INTERNET_SHARE of the public Internet can reach through both NSG levels. */
export function internetPorts(
	levels: Levels,
	protocol: Protocol,
	target: Target,
	within: PortRange[] = [ALL_PORTS],
): PortScan {
	const bounds = portBoundaries([levels.subnetNsg, levels.nicNsg]);
	for (const w of within) bounds.push(w.lo, w.hi + 1);
	const b = [...new Set(bounds)].sort((x, y) => x - y);
	const ranges: PortRange[] = [];
	const via = new Map<string, RuleRef>();
	let allowedAll: Interval[] = [];
	for (let i = 0; i + 1 < b.length; i++) {
		const seg = { lo: b[i], hi: b[i + 1] - 1 };
		if (seg.lo > 65535 || !intersectRanges([seg], within).length) continue;
		const r = internetAllowed(levels, protocol, seg.lo, target);
		if (size(r.allowed) < PUBLIC_SIZE * INTERNET_SHARE) continue;
		ranges.push(seg);
		allowedAll = union([...allowedAll, ...r.allowed]);
		for (const v of r.via) via.set(v.ruleId, v);
	}
	return {
		ranges: mergeRanges(ranges),
		via: [...via.values()],
		allowed: allowedAll,
	};
}

interface Acc {
	owner: string;
	protocol: Protocol;
	ranges: PortRange[];
	via: string[];
	allowed: Interval[];
}

function sourcesText(allowed: Interval[]): string {
	const s = size(intersect(allowed, PUBLIC_SPACE));
	return s >= PUBLIC_SIZE
		? "Internet"
		: `Internet (${Math.round((100 * s) / PUBLIC_SIZE)}% of public IPv4)`;
}

const LB_PROTOCOLS = (p: string | undefined): Protocol[] => {
	const l = (p ?? "tcp").toLowerCase();
	return l === "all" || l === "*"
		? ["tcp", "udp"]
		: l === "udp"
			? ["udp"]
			: ["tcp"];
};

/** Everything reachable from the Internet, one entry per resource and protocol (Tcp and Udp merged to "*" when equal). */
export function computeExposure(
	resources: ArmResource[] | Inventory,
): Exposure[] {
	const inv =
		resources instanceof Inventory ? resources : new Inventory(resources);
	const acc = new Map<string, Acc>();
	const add = (
		owner: string,
		protocol: Protocol,
		ranges: PortRange[],
		via: string[],
		allowed: Interval[] = PUBLIC_SPACE,
	) => {
		if (!ranges.length) return;
		const k = `${idKey(owner)}|${protocol}`;
		const a = acc.get(k) ?? {
			owner,
			protocol,
			ranges: [],
			via: [],
			allowed: [],
		};
		a.ranges = mergeRanges([...a.ranges, ...ranges]);
		for (const v of via) if (!a.via.includes(v)) a.via.push(v);
		a.allowed = union([...a.allowed, ...allowed]);
		acc.set(k, a);
	};
	const ruleIds = (s: PortScan, levels: Levels) => {
		if (!levels.subnetNsg && !levels.nicNsg)
			return ["no NSG on the subnet or the NIC"];
		return s.via.map((v) => v.ruleId);
	};

	// Load balancers: pools and NAT rules fronted by a public frontend.
	const lbRulesByPool = new Map<
		string,
		{
			lb: ArmResource;
			ruleId: string;
			pip: string;
			protocols: Protocol[];
			backend: PortRange;
		}[]
	>();
	const natRules = new Map<
		string,
		{ lb: ArmResource; pip: string; protocols: Protocol[]; backend: PortRange }
	>();
	for (const lb of inv.of(T.lb)) {
		const lp = props(lb);
		const pipOf = new Map<string, string>();
		for (const fe of arr(lp.frontendIPConfigurations)) {
			const pip = refId(rec(rec(fe).properties).publicIPAddress);
			const feId = str(rec(fe).id);
			if (pip && feId) pipOf.set(idKey(feId), pip);
		}
		const backendRange = (port: unknown): PortRange =>
			Number(port) > 0
				? { lo: Number(port), hi: Number(port) }
				: { ...ALL_PORTS };
		for (const rule of arr(lp.loadBalancingRules)) {
			const rp = rec(rec(rule).properties);
			const pip = pipOf.get(idKey(refId(rp.frontendIPConfiguration) ?? ""));
			if (!pip) continue;
			const pools = [
				refId(rp.backendAddressPool),
				...arr(rp.backendAddressPools).map(refId),
			].filter((x): x is string => !!x);
			for (const pool of pools) {
				const list = lbRulesByPool.get(idKey(pool)) ?? [];
				list.push({
					lb,
					ruleId:
						str(rec(rule).id) ??
						`${lb.id}/loadBalancingRules/${str(rec(rule).name)}`,
					pip,
					protocols: LB_PROTOCOLS(str(rp.protocol)),
					backend: backendRange(rp.backendPort),
				});
				lbRulesByPool.set(idKey(pool), list);
			}
		}
		for (const rule of arr(lp.inboundNatRules)) {
			const rp = rec(rec(rule).properties);
			const pip = pipOf.get(idKey(refId(rp.frontendIPConfiguration) ?? ""));
			const rid = str(rec(rule).id);
			if (pip && rid)
				natRules.set(idKey(rid), {
					lb,
					pip,
					protocols: LB_PROTOCOLS(str(rp.protocol)),
					backend: backendRange(rp.backendPort),
				});
		}
	}

	for (const nl of nicLikes(inv)) {
		for (const ic of nl.ipConfigs) {
			const levels = levelsFor(inv, nl, ic);
			const target: Target = { ip: ic.privateIp, asgs: ic.asgs };
			const hop = nl.nicId ? [nl.nicId] : [];
			if (ic.publicIpId || ic.instancePublicIp) {
				const pip = inv.get(ic.publicIpId);
				const standard =
					String(rec(pip?.sku).name ?? "").toLowerCase() === "standard" ||
					(ic.instancePublicIp && !pip);
				// Standard public IPs are closed to inbound traffic unless an NSG allows it.
				if (!(standard && !levels.subnetNsg && !levels.nicNsg))
					for (const proto of ["tcp", "udp"] as Protocol[]) {
						const s = internetPorts(levels, proto, target);
						add(
							nl.ownerId,
							proto,
							s.ranges,
							[
								ic.publicIpId ?? `${nl.ownerId} (instance public IP)`,
								...hop,
								...ruleIds(s, levels),
							],
							s.allowed,
						);
					}
			}
			for (const pool of ic.pools)
				for (const lr of lbRulesByPool.get(idKey(pool)) ?? [])
					for (const proto of lr.protocols) {
						if (
							!levels.subnetNsg &&
							!levels.nicNsg &&
							String(rec(lr.lb.sku).name ?? "").toLowerCase() === "standard"
						)
							continue;
						const s = internetPorts(levels, proto, target, [lr.backend]);
						add(
							nl.ownerId,
							proto,
							s.ranges,
							[lr.pip, lr.lb.id, lr.ruleId, ...hop, ...ruleIds(s, levels)],
							s.allowed,
						);
					}
			for (const nr of ic.natRules) {
				const r = natRules.get(idKey(nr));
				if (!r) continue;
				for (const proto of r.protocols) {
					const s = internetPorts(levels, proto, target, [r.backend]);
					add(
						nl.ownerId,
						proto,
						s.ranges,
						[r.pip, r.lb.id, nr, ...hop, ...ruleIds(s, levels)],
						s.allowed,
					);
				}
			}
		}
	}

	// Application gateways with a public frontend: the listener ports, through the gateway subnet's NSG.
	for (const gw of inv.of(T.appgw)) {
		const gp = props(gw);
		const publicFe = new Map<string, string>();
		for (const fe of arr(gp.frontendIPConfigurations)) {
			const pip = refId(rec(rec(fe).properties).publicIPAddress);
			if (pip && str(rec(fe).id))
				publicFe.set(idKey(str(rec(fe).id) as string), pip);
		}
		const portOf = new Map<string, number>();
		for (const fp of arr(gp.frontendPorts))
			if (str(rec(fp).id))
				portOf.set(
					idKey(str(rec(fp).id) as string),
					Number(rec(rec(fp).properties).port),
				);
		const subnet = refId(
			rec(rec(arr(gp.gatewayIPConfigurations)[0]).properties).subnet,
		);
		const levels: Levels = {
			subnetNsg: inv.nsg(subnet ? inv.subnetNsg.get(idKey(subnet)) : undefined),
		};
		for (const l of arr(gp.httpListeners)) {
			const lp = rec(rec(l).properties);
			const pip = publicFe.get(idKey(refId(lp.frontendIPConfiguration) ?? ""));
			const port = portOf.get(idKey(refId(lp.frontendPort) ?? ""));
			if (!pip || !port) continue;
			const s = internetPorts(levels, "tcp", {}, [{ lo: port, hi: port }]);
			add(
				gw.id,
				"tcp",
				s.ranges,
				[pip, str(rec(l).id) ?? gw.id, ...s.via.map((v) => v.ruleId)],
				s.allowed,
			);
		}
	}

	// PaaS endpoints open to public networks.
	for (const r of dataPlaneExposures(inv))
		add(r.resource.id, "tcp", [{ lo: r.port, hi: r.port }], [r.why], r.allowed);

	// Merge Tcp and Udp into "*" when they are the same set.
	const out: Exposure[] = [];
	const owners = new Map<string, { tcp?: Acc; udp?: Acc }>();
	for (const a of acc.values()) {
		const o = owners.get(idKey(a.owner)) ?? {};
		o[a.protocol as "tcp" | "udp"] = a;
		owners.set(idKey(a.owner), o);
	}
	for (const { tcp, udp } of owners.values()) {
		const same =
			tcp && udp && JSON.stringify(tcp.ranges) === JSON.stringify(udp.ranges);
		const emit = (a: Acc, protocol: Exposure["protocol"], via: string[]) => {
			const r = inv.get(a.owner);
			out.push({
				resourceId: r?.id ?? a.owner,
				resourceName: r?.name ?? inv.nameOf(a.owner),
				resourceType: r ? typeKey(r.type) : "",
				ports: a.ranges.map(formatPortRange),
				protocol,
				via,
				sources: sourcesText(a.allowed),
			});
		};
		if (same && tcp && udp)
			emit(tcp, "*", [...new Set([...tcp.via, ...udp.via])]);
		else {
			if (tcp) emit(tcp, "Tcp", tcp.via);
			if (udp) emit(udp, "Udp", udp.via);
		}
	}
	return out.sort(
		(a, b) =>
			a.resourceId.localeCompare(b.resourceId) ||
			a.protocol.localeCompare(b.protocol),
	);
}

const isDisabled = (v: unknown) => String(v ?? "").toLowerCase() === "disabled";

/** Firewall rule rows (`<server>/firewallRules`) or embedded `properties.firewallRules`, as address intervals. */
function firewallIntervals(
	inv: Inventory,
	server: ArmResource,
	childType: string,
): Interval[] {
	const rows = [
		...arr(props(server).firewallRules),
		...inv
			.of(childType)
			.filter((f) => idKey(parentId(f.id)) === idKey(server.id)),
	];
	const ivs: Interval[] = [];
	for (const f of rows) {
		const p = rec(rec(f).properties ?? f);
		const a = parseCidr(String(p.startIpAddress ?? ""));
		const b = parseCidr(String(p.endIpAddress ?? ""));
		if (a && b && b.lo >= a.lo) ivs.push({ lo: a.lo, hi: b.lo });
	}
	return ivs;
}

/** Storage, Key Vault, Cosmos DB, SQL, PostgreSQL/MySQL, Redis, web apps and AKS API servers reachable from public networks. */
export function dataPlaneExposures(
	inv: Inventory,
): { resource: ArmResource; port: number; why: string; allowed: Interval[] }[] {
	const out: {
		resource: ArmResource;
		port: number;
		why: string;
		allowed: Interval[];
	}[] = [];
	const aclOpen = (acls: Record<string, unknown>) =>
		String(acls.defaultAction ?? "Allow").toLowerCase() === "allow";
	for (const r of [...inv.of(T.storage), ...inv.of(T.kv)]) {
		const p = props(r);
		if (isDisabled(p.publicNetworkAccess)) continue;
		if (aclOpen(rec(p.networkAcls)))
			out.push({
				resource: r,
				port: 443,
				why: `${r.id}: public network access, networkAcls.defaultAction=Allow`,
				allowed: PUBLIC_SPACE,
			});
	}
	for (const r of inv.of(T.cosmos)) {
		const p = props(r);
		if (isDisabled(p.publicNetworkAccess)) continue;
		const ipRules = arr(p.ipRules).length || str(p.ipRangeFilter);
		if (!ipRules && !p.isVirtualNetworkFilterEnabled)
			out.push({
				resource: r,
				port: 443,
				why: `${r.id}: public network access, no IP or virtual network filter`,
				allowed: PUBLIC_SPACE,
			});
	}
	const servers: [string, string, number][] = [
		[T.sql, T.sqlFw, 1433],
		[T.pg, T.pgFw, 5432],
		[T.mysql, T.mysqlFw, 3306],
	];
	for (const [type, fwType, port] of servers)
		for (const r of inv.of(type)) {
			const p = props(r);
			if (
				isDisabled(p.publicNetworkAccess) ||
				isDisabled(rec(p.network).publicNetworkAccess)
			)
				continue;
			const allowed = intersect(
				union(firewallIntervals(inv, r, fwType)),
				PUBLIC_SPACE,
			);
			if (size(allowed) >= PUBLIC_SIZE * INTERNET_SHARE)
				out.push({
					resource: r,
					port,
					why: `${r.id}: firewall rules admit the Internet`,
					allowed,
				});
		}
	for (const r of inv.of(T.redis)) {
		const p = props(r);
		if (isDisabled(p.publicNetworkAccess) || p.subnetId) continue;
		const fw = firewallIntervals(inv, r, "microsoft.cache/redis/firewallrules");
		if (!fw.length || covers(fw, PUBLIC_SPACE))
			out.push({
				resource: r,
				port: p.enableNonSslPort ? 6379 : 6380,
				why: `${r.id}: public network access, no firewall rule`,
				allowed: PUBLIC_SPACE,
			});
	}
	for (const r of inv.of(T.web)) {
		const p = props(r);
		if (isDisabled(p.publicNetworkAccess)) continue;
		out.push({
			resource: r,
			port: 443,
			why: `${r.id}: public endpoint (publicNetworkAccess not Disabled)`,
			allowed: PUBLIC_SPACE,
		});
	}
	for (const r of inv.of(T.aks)) {
		const ap = rec(props(r).apiServerAccessProfile);
		if (ap.enablePrivateCluster === true || arr(ap.authorizedIPRanges).length)
			continue;
		out.push({
			resource: r,
			port: 443,
			why: `${r.id}: public API server without authorized IP ranges`,
			allowed: PUBLIC_SPACE,
		});
	}
	return out;
}
