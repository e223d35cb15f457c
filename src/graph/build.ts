import type { ArmResource } from "../domain/resource";
import { idKey, typeKey } from "../domain/resource";
import { type Criticality, criticalityOf } from "./criticality";
import {
	computeExposure,
	type Exposure,
	levelsFor,
	nicLikes,
} from "./exposure";
import {
	arr,
	DATA_STORE_TYPES,
	Inventory,
	parentId,
	props,
	rec,
	refId,
	str,
	T,
	WORKLOAD_TYPES,
} from "./inventory";
import { evaluateInbound, portBoundaries } from "./nsg";
import { formatPortRange, mergeRanges, type PortRange } from "./ports";
import { roleInfo } from "./roles";

/** Edge kinds: what lets an attacker move from one node to the next. */
export const EDGE_KINDS = [
	"exposed", // Internet -> resource (open ports / public endpoint)
	"proxies", // application gateway -> backend
	"inVnet", // workload -> its virtual network (can send traffic inside it)
	"vnetReach", // virtual network -> workload (its NSGs admit VNet traffic)
	"peering", // virtual network -> peered virtual network
	"privateEndpoint", // virtual network -> PaaS resource through a private endpoint in it
	"serviceEndpoint", // virtual network -> PaaS resource admitting one of its subnets
	"identity", // workload -> user-assigned managed identity it carries
	"role", // identity holder -> resource in the scope of its role assignment
	"contains", // SQL server -> its databases
] as const;
export type EdgeKind = (typeof EDGE_KINDS)[number];
export const EDGE = Object.fromEntries(
	EDGE_KINDS.map((k, i) => [k, i]),
) as Record<EdgeKind, number>;

export const INTERNET = 0;
export const INTERNET_ID = "Internet";

/**
 * The exposure graph in compressed sparse row form: node i's out-edges are `targets[offsets[i]..offsets[i+1])`,
 * with `kinds` and `labels` (index into `labelText`) alongside. Node 0 is the Internet.
 */
export interface ExposureGraph {
	nodeIds: string[];
	nodeIndex: Map<string, number>;
	offsets: Int32Array;
	targets: Int32Array;
	kinds: Uint8Array;
	labels: Int32Array;
	labelText: string[];
	resources: (ArmResource | undefined)[];
	exposure: Exposure[];
	/** node -> its exposure entries */
	entries: Map<number, Exposure[]>;
	critical: Map<number, Criticality>;
	inventory: Inventory;
}

/** Collects edges into growable typed arrays, then lays them out as CSR. */
export class CsrBuilder {
	private src = new Int32Array(1024);
	private dst = new Int32Array(1024);
	private kind = new Uint8Array(1024);
	private label = new Int32Array(1024);
	private m = 0;
	private seen = new Set<string>();

	add(s: number, d: number, kind: number, label = -1): void {
		if (s === d) return;
		const key = `${s},${d},${kind}`;
		if (this.seen.has(key)) return;
		this.seen.add(key);
		if (this.m === this.src.length) {
			const grow = <A extends Int32Array | Uint8Array>(a: A): A => {
				const b = new (a.constructor as new (n: number) => A)(a.length * 2);
				b.set(a);
				return b;
			};
			this.src = grow(this.src);
			this.dst = grow(this.dst);
			this.kind = grow(this.kind);
			this.label = grow(this.label);
		}
		this.src[this.m] = s;
		this.dst[this.m] = d;
		this.kind[this.m] = kind;
		this.label[this.m] = label;
		this.m++;
	}

	build(n: number): {
		offsets: Int32Array;
		targets: Int32Array;
		kinds: Uint8Array;
		labels: Int32Array;
	} {
		return toCsr(
			n,
			this.src.subarray(0, this.m),
			this.dst.subarray(0, this.m),
			this.kind.subarray(0, this.m),
			this.label.subarray(0, this.m),
		);
	}
}

/** Counting-sort edge lists into CSR. */
export function toCsr(
	n: number,
	src: Int32Array,
	dst: Int32Array,
	kind: Uint8Array,
	label?: Int32Array,
) {
	const m = src.length;
	const offsets = new Int32Array(n + 1);
	for (let i = 0; i < m; i++) offsets[src[i] + 1]++;
	for (let i = 0; i < n; i++) offsets[i + 1] += offsets[i];
	const pos = offsets.slice(0, n);
	const targets = new Int32Array(m);
	const kinds = new Uint8Array(m);
	const labels = new Int32Array(m);
	for (let i = 0; i < m; i++) {
		const p = pos[src[i]]++;
		targets[p] = dst[i];
		kinds[p] = kind[i];
		labels[p] = label ? label[i] : -1;
	}
	return { offsets, targets, kinds, labels };
}

/** Builds the exposure graph from the inventory (ARG rows). */
export function buildGraph(resources: ArmResource[]): ExposureGraph {
	const inv = new Inventory(resources);
	const nodeIds: string[] = [INTERNET_ID];
	const nodeIndex = new Map<string, number>([
		[INTERNET_ID.toLowerCase(), INTERNET],
	]);
	const node = (id: string): number => {
		const k = idKey(id);
		let i = nodeIndex.get(k);
		if (i === undefined) {
			i = nodeIds.length;
			nodeIds.push(inv.get(id)?.id ?? id);
			nodeIndex.set(k, i);
		}
		return i;
	};
	for (const r of resources) node(r.id);
	const labelText: string[] = [];
	const labelIdx = new Map<string, number>();
	const lab = (s: string) => {
		let i = labelIdx.get(s);
		if (i === undefined) {
			i = labelText.length;
			labelText.push(s);
			labelIdx.set(s, i);
		}
		return i;
	};
	const b = new CsrBuilder();

	// Internet -> exposed resources.
	const exposure = computeExposure(inv);
	const entries = new Map<number, Exposure[]>();
	for (const e of exposure) {
		const n = node(e.resourceId);
		entries.set(n, [...(entries.get(n) ?? []), e]);
		b.add(INTERNET, n, EDGE.exposed, lab(`${e.protocol} ${e.ports.join(",")}`));
	}

	// Workloads <-> their virtual networks.
	for (const nl of nicLikes(inv)) {
		for (const ic of nl.ipConfigs) {
			if (!ic.subnetId) continue;
			const vnet = node(parentId(ic.subnetId));
			const owner = node(nl.ownerId);
			b.add(owner, vnet, EDGE.inVnet);
			const levels = levelsFor(inv, nl, ic);
			const open: PortRange[] = [];
			const bounds = portBoundaries([levels.subnetNsg, levels.nicNsg]);
			for (let i = 0; i + 1 < bounds.length; i++) {
				if (bounds[i] > 65535) break;
				const d = evaluateInbound(levels, {
					source: { kind: "vnet" },
					protocol: "tcp",
					port: bounds[i],
					target: { ip: ic.privateIp, asgs: ic.asgs },
				});
				if (d.allowed) open.push({ lo: bounds[i], hi: bounds[i + 1] - 1 });
			}
			if (open.length)
				b.add(
					vnet,
					owner,
					EDGE.vnetReach,
					lab(
						`Tcp ${mergeRanges(open).map(formatPortRange).slice(0, 6).join(",")}`,
					),
				);
		}
	}
	for (const w of inv.of(T.web)) {
		const s = str(props(w).virtualNetworkSubnetId);
		if (s) b.add(node(w.id), node(parentId(s)), EDGE.inVnet);
	}
	for (const v of inv.of(T.vnet))
		for (const p of arr(props(v).virtualNetworkPeerings)) {
			const pp = rec(rec(p).properties);
			const remote = refId(pp.remoteVirtualNetwork);
			if (
				!remote ||
				String(pp.peeringState ?? "Connected").toLowerCase() === "disconnected"
			)
				continue;
			b.add(node(v.id), node(remote), EDGE.peering);
			if (!inv.get(remote)) b.add(node(remote), node(v.id), EDGE.peering);
		}

	// Application gateway -> backends.
	const hostToWeb = new Map<string, string>();
	for (const w of inv.of(T.web))
		for (const h of [str(props(w).defaultHostName), ...arr(props(w).hostNames)])
			if (typeof h === "string") hostToWeb.set(h.toLowerCase(), w.id);
	for (const gw of inv.of(T.appgw))
		for (const pool of arr(props(gw).backendAddressPools)) {
			const pp = rec(rec(pool).properties);
			for (const c of arr(pp.backendIPConfigurations)) {
				const ipc = refId(c);
				if (!ipc) continue;
				const nic = parentId(ipc);
				b.add(
					node(gw.id),
					node(inv.nicOwner.get(idKey(nic)) ?? nic),
					EDGE.proxies,
				);
			}
			for (const a of arr(pp.backendAddresses)) {
				const web = hostToWeb.get(String(rec(a).fqdn ?? "").toLowerCase());
				if (web) b.add(node(gw.id), node(web), EDGE.proxies);
			}
		}

	// Private endpoints and service-endpoint rules: the VNet reaches the PaaS resource.
	for (const pe of inv.of(T.pe)) {
		const p = props(pe);
		const subnet = refId(p.subnet);
		if (!subnet) continue;
		for (const c of [
			...arr(p.privateLinkServiceConnections),
			...arr(p.manualPrivateLinkServiceConnections),
		]) {
			const target = str(rec(rec(c).properties).privateLinkServiceId);
			if (target)
				b.add(
					node(parentId(subnet)),
					node(target),
					EDGE.privateEndpoint,
					lab(pe.id),
				);
		}
	}
	for (const r of [
		...inv.of(T.storage),
		...inv.of(T.kv),
		...inv.of(T.cosmos),
	]) {
		const p = props(r);
		for (const vr of [
			...arr(rec(p.networkAcls).virtualNetworkRules),
			...arr(p.virtualNetworkRules),
		]) {
			const subnet = refId(vr);
			if (subnet)
				b.add(
					node(parentId(subnet)),
					node(r.id),
					EDGE.serviceEndpoint,
					lab(subnet),
				);
		}
	}

	// Identities: workloads carry user-assigned identities; role assignments give holders reach over a scope.
	for (const r of resources)
		for (const uai of Object.keys(rec(rec(r.identity).userAssignedIdentities)))
			b.add(node(r.id), node(uai), EDGE.identity);
	const candidates = resources.filter(
		(r) =>
			DATA_STORE_TYPES.has(typeKey(r.type)) ||
			WORKLOAD_TYPES.has(typeKey(r.type)) ||
			criticalityOf(r),
	);
	const byScope = new Map<string, ArmResource[]>();
	for (const r of candidates) {
		const parts = idKey(r.id).split("/");
		for (const k of [parts.slice(0, 3).join("/"), parts.slice(0, 5).join("/")])
			byScope.set(k, [...(byScope.get(k) ?? []), r]);
	}
	for (const ra of inv.of(T.ra)) {
		const p = props(ra);
		const principal = str(p.principalId)?.toLowerCase();
		const holders = principal ? inv.principals.get(principal) : undefined;
		if (!holders) continue;
		const role = roleInfo(String(p.roleDefinitionId ?? ""));
		if (role.reach === "none") continue;
		const scope = idKey(String(p.scope ?? parentId(ra.id, 2)));
		const depth = scope.split("/").length;
		let inScope: ArmResource[];
		if (depth <= 3 && !scope.startsWith("/subscriptions/"))
			inScope = candidates; // tenant root or management group
		else if (depth === 3 || depth === 5) inScope = byScope.get(scope) ?? [];
		else
			inScope = candidates.filter(
				(r) => idKey(r.id) === scope || idKey(r.id).startsWith(`${scope}/`),
			);
		for (const h of holders)
			for (const t of inScope) {
				const tt = typeKey(t.type);
				if (WORKLOAD_TYPES.has(tt) && role.reach !== "control") continue;
				if (role.types && !role.types.includes(tt)) continue;
				b.add(node(h), node(t.id), EDGE.role, lab(role.name));
			}
	}
	for (const db of inv.of(T.sqlDb))
		b.add(node(parentId(db.id)), node(db.id), EDGE.contains);

	const n = nodeIds.length;
	const csr = b.build(n);
	const critical = new Map<number, Criticality>();
	const res: (ArmResource | undefined)[] = nodeIds.map((id, i) =>
		i === INTERNET ? undefined : inv.get(id),
	);
	res.forEach((r, i) => {
		const c = r && criticalityOf(r);
		if (c) critical.set(i, c);
	});
	return {
		nodeIds,
		nodeIndex,
		...csr,
		labelText,
		resources: res,
		exposure,
		entries,
		critical,
		inventory: inv,
	};
}
