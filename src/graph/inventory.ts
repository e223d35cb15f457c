import { type ArmResource, idKey, typeKey } from "../domain/resource";
import { type Nsg, parseNsg } from "./nsg";

/** Small accessors over ARM property bags (exports differ in which fields they carry). */
export const rec = (v: unknown): Record<string, unknown> =>
	v && typeof v === "object" && !Array.isArray(v)
		? (v as Record<string, unknown>)
		: {};
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | undefined =>
	typeof v === "string" && v ? v : undefined;
export const refId = (v: unknown): string | undefined => str(rec(v).id);
export const props = (r: ArmResource | undefined): Record<string, unknown> =>
	rec(r?.properties);

export const T = {
	nic: "microsoft.network/networkinterfaces",
	nsg: "microsoft.network/networksecuritygroups",
	vnet: "microsoft.network/virtualnetworks",
	subnet: "microsoft.network/virtualnetworks/subnets",
	pip: "microsoft.network/publicipaddresses",
	lb: "microsoft.network/loadbalancers",
	appgw: "microsoft.network/applicationgateways",
	pe: "microsoft.network/privateendpoints",
	vm: "microsoft.compute/virtualmachines",
	vmss: "microsoft.compute/virtualmachinescalesets",
	aks: "microsoft.containerservice/managedclusters",
	web: "microsoft.web/sites",
	uai: "microsoft.managedidentity/userassignedidentities",
	ra: "microsoft.authorization/roleassignments",
	storage: "microsoft.storage/storageaccounts",
	kv: "microsoft.keyvault/vaults",
	cosmos: "microsoft.documentdb/databaseaccounts",
	sql: "microsoft.sql/servers",
	sqlDb: "microsoft.sql/servers/databases",
	sqlFw: "microsoft.sql/servers/firewallrules",
	pg: "microsoft.dbforpostgresql/flexibleservers",
	pgFw: "microsoft.dbforpostgresql/flexibleservers/firewallrules",
	mysql: "microsoft.dbformysql/flexibleservers",
	mysqlFw: "microsoft.dbformysql/flexibleservers/firewallrules",
	redis: "microsoft.cache/redis",
} as const;

export const DATA_STORE_TYPES = new Set<string>([
	T.storage,
	T.kv,
	T.cosmos,
	T.sql,
	T.sqlDb,
	T.pg,
	T.mysql,
	T.redis,
]);
export const WORKLOAD_TYPES = new Set<string>([T.vm, T.vmss, T.web, T.aks]);

/** The parent id of a child id (`.../virtualNetworks/v/subnets/s` -> `.../virtualNetworks/v`). */
export function parentId(id: string, levels = 1): string {
	return id
		.split("/")
		.slice(0, -2 * levels)
		.join("/");
}

/** The inventory indexed for graph building. All map keys are lower-cased ids. */
export class Inventory {
	readonly byId = new Map<string, ArmResource>();
	readonly byType = new Map<string, ArmResource[]>();
	private readonly nsgCache = new Map<string, Nsg | undefined>();
	/** subnet id -> NSG id (from the VNet's embedded subnets and from separate subnet rows). */
	readonly subnetNsg = new Map<string, string>();
	/** subnet id -> subnet properties. */
	readonly subnets = new Map<string, Record<string, unknown>>();
	/** NIC id -> owning VM id. */
	readonly nicOwner = new Map<string, string>();
	/** principalId (lower) -> workload or identity resource ids holding it. */
	readonly principals = new Map<string, string[]>();

	constructor(readonly resources: ArmResource[]) {
		for (const r of resources) {
			const k = idKey(r.id);
			this.byId.set(k, r);
			const t = typeKey(r.type);
			let list = this.byType.get(t);
			if (!list) {
				list = [];
				this.byType.set(t, list);
			}
			list.push(r);
		}
		for (const v of this.of(T.vnet))
			for (const s of arr(props(v).subnets)) {
				const sid =
					str(rec(s).id) ??
					(str(rec(s).name) ? `${v.id}/subnets/${rec(s).name}` : undefined);
				if (!sid) continue;
				const sp = rec(rec(s).properties);
				this.subnets.set(idKey(sid), sp);
				const nsg = refId(sp.networkSecurityGroup);
				if (nsg) this.subnetNsg.set(idKey(sid), nsg);
			}
		for (const s of this.of(T.subnet)) {
			this.subnets.set(idKey(s.id), props(s));
			const nsg = refId(props(s).networkSecurityGroup);
			if (nsg) this.subnetNsg.set(idKey(s.id), nsg);
		}
		for (const nic of this.of(T.nic)) {
			const vm = refId(props(nic).virtualMachine);
			if (vm) this.nicOwner.set(idKey(nic.id), vm);
		}
		for (const vm of this.of(T.vm))
			for (const n of arr(rec(props(vm).networkProfile).networkInterfaces)) {
				const nid = refId(n);
				if (nid && !this.nicOwner.has(idKey(nid)))
					this.nicOwner.set(idKey(nid), vm.id);
			}
		for (const r of resources) {
			const ident = rec(r.identity);
			const pid = str(ident.principalId);
			if (pid) this.addPrincipal(pid, r.id);
			if (typeKey(r.type) === T.uai) {
				const upid = str(props(r).principalId);
				if (upid) this.addPrincipal(upid, r.id);
			}
		}
	}

	private addPrincipal(pid: string, id: string): void {
		const k = pid.toLowerCase();
		const list = this.principals.get(k) ?? [];
		if (!list.includes(id)) list.push(id);
		this.principals.set(k, list);
	}

	of(type: string): ArmResource[] {
		return this.byType.get(type) ?? [];
	}

	get(id: string | undefined): ArmResource | undefined {
		return id ? this.byId.get(idKey(id)) : undefined;
	}

	nsg(id: string | undefined): Nsg | undefined {
		if (!id) return undefined;
		const k = idKey(id);
		if (!this.nsgCache.has(k)) {
			const r = this.byId.get(k);
			// An NSG referenced but absent from the export: assume Azure defaults (deny Internet), say so in `via`.
			this.nsgCache.set(
				k,
				parseNsg(
					r
						? { id: r.id, name: r.name, properties: r.properties }
						: { id, properties: {} },
				),
			);
		}
		return this.nsgCache.get(k);
	}

	nameOf(id: string): string {
		return this.get(id)?.name ?? id.split("/").pop() ?? id;
	}
}

/** Tag lookup with case-insensitive key. */
export function tagValue(
	r: ArmResource | undefined,
	...keys: string[]
): string | undefined {
	const tags = r?.tags;
	if (!tags) return undefined;
	const wanted = keys.map((k) => k.toLowerCase().replace(/[\s_-]/g, ""));
	for (const [k, v] of Object.entries(tags))
		if (v != null && wanted.includes(k.toLowerCase().replace(/[\s_-]/g, "")))
			return v;
	return undefined;
}

export function norm(v: string | undefined): string {
	return (v ?? "").toLowerCase().replace(/[\s_-]/g, "");
}
