import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "../domain/errors";

/**
 * CISA Known Exploited Vulnerabilities as facts: a compact dated snapshot shipped in `data/kev-snapshot.json`
 * (derived by `generate-kev.ts`), replaceable at run time by a newer catalog (`clarion feeds update --file`).
 */
export interface KevEntry {
	cveID: string;
	dateAdded: string;
	knownRansomwareCampaignUse: boolean;
	vendor: string;
	product: string;
}

/** The project's own compact format: one row per CVE. */
export interface KevSnapshot {
	format: "clarion-kev/1";
	source: string;
	catalogVersion: string;
	dateReleased: string;
	count: number;
	/** [cveID, dateAdded, ransomware 0|1, vendor, product] */
	rows: [string, string, 0 | 1, string, string][];
}

export const KEV_META_KEY = "feeds.kev";
const SNAPSHOT_PATH = join(
	dirname(fileURLToPath(import.meta.url)),
	"data",
	"kev-snapshot.json",
);

/** Accepts CISA's catalog JSON (`{catalogVersion, vulnerabilities:[...]}`) or a Clarion snapshot; returns a snapshot. */
export function parseKevCatalog(json: unknown, file = "KEV"): KevSnapshot {
	const o = json as Record<string, unknown>;
	if (o && o.format === "clarion-kev/1" && Array.isArray(o.rows))
		return o as unknown as KevSnapshot;
	if (!o || !Array.isArray(o.vulnerabilities))
		throw new InputError(
			"not a CISA KEV catalog (expected `vulnerabilities` array) nor a Clarion KEV snapshot",
			{ file, field: "vulnerabilities" },
		);
	const rows: KevSnapshot["rows"] = [];
	o.vulnerabilities.forEach((v: unknown, index: number) => {
		const r = v as Record<string, unknown>;
		const cve = String(r?.cveID ?? "")
			.trim()
			.toUpperCase();
		if (!/^CVE-\d{4}-\d{4,}$/.test(cve))
			throw new InputError(`invalid cveID '${String(r?.cveID)}'`, {
				file,
				index,
				field: "cveID",
			});
		rows.push([
			cve,
			String(r.dateAdded ?? ""),
			String(r.knownRansomwareCampaignUse ?? "").toLowerCase() === "known"
				? 1
				: 0,
			String(r.vendorProject ?? ""),
			String(r.product ?? ""),
		]);
	});
	rows.sort((a, b) => a[0].localeCompare(b[0]));
	return {
		format: "clarion-kev/1",
		source: "CISA Known Exploited Vulnerabilities catalog",
		catalogVersion: String(o.catalogVersion ?? ""),
		dateReleased: String(o.dateReleased ?? ""),
		count: rows.length,
		rows,
	};
}

export class KevCatalog {
	private readonly map = new Map<string, KevEntry>();
	constructor(readonly snapshot: KevSnapshot) {
		for (const [cveID, dateAdded, rw, vendor, product] of snapshot.rows)
			this.map.set(cveID, {
				cveID,
				dateAdded,
				knownRansomwareCampaignUse: rw === 1,
				vendor,
				product,
			});
	}
	get version(): string {
		return this.snapshot.catalogVersion;
	}
	get size(): number {
		return this.map.size;
	}
	lookup(cve: string): KevEntry | undefined {
		return this.map.get(cve.trim().toUpperCase());
	}
}

let shipped: KevCatalog | undefined;
let active: KevCatalog | undefined;

/** The snapshot shipped with Clarion. */
export function shippedKev(): KevCatalog {
	shipped ??= new KevCatalog(
		JSON.parse(readFileSync(SNAPSHOT_PATH, "utf8")) as KevSnapshot,
	);
	return shipped;
}

/** The catalog in use: a refreshed one when `useKevCatalog` installed it, else the shipped snapshot. */
export function activeKev(): KevCatalog {
	return active ?? shippedKev();
}

export function useKevCatalog(c: KevCatalog | undefined): void {
	active = c;
}

/** Is this CVE known exploited (CISA KEV)? */
export function kevLookup(cve: string): KevEntry | undefined {
	return activeKev().lookup(cve);
}

/** Installs the catalog stored by `clarion feeds update` in the store's meta, when there is one. */
export async function loadKevFromStore(store: {
	getMeta(key: string): Promise<string | undefined>;
}): Promise<KevCatalog> {
	const raw = await store.getMeta(KEV_META_KEY);
	if (raw)
		useKevCatalog(
			new KevCatalog(parseKevCatalog(JSON.parse(raw), `meta ${KEV_META_KEY}`)),
		);
	return activeKev();
}
