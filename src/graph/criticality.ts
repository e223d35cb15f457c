import type { ArmResource } from "../domain/resource";
import { typeKey } from "../domain/resource";
import { norm, T, tagValue } from "./inventory";

/** Why a resource is a critical asset (a path target), with a value in (0, 1]. */
export interface Criticality {
	value: number;
	reasons: string[];
}

const CRITICALITY_TAG: Record<string, number> = {
	critical: 1,
	missioncritical: 1,
	businesscritical: 1,
	tier0: 1,
	tier1: 0.9,
	veryhigh: 1,
	high: 0.9,
	crown: 1,
	crownjewel: 1,
};
const CLASSIFICATION_TAG: Record<string, number> = {
	highlyconfidential: 1,
	secret: 1,
	topsecret: 1,
	restricted: 0.9,
	pci: 1,
	cardholder: 1,
	phi: 1,
	pii: 0.9,
	confidential: 0.8,
	sensitive: 0.8,
};
const PROD = new Set(["prod", "production", "prd", "live", "prod01"]);
const DATABASES = new Set<string>([
	T.sql,
	T.sqlDb,
	T.cosmos,
	T.pg,
	T.mysql,
	"microsoft.sql/managedinstances",
	"microsoft.dbforpostgresql/servers",
	"microsoft.dbformysql/servers",
]);

/** Environment from the tag (messy casing and spelling tolerated): "production", "nonproduction" or undefined. */
export function environmentOf(r: ArmResource): string | undefined {
	const v = norm(tagValue(r, "environment", "env", "stage"));
	if (!v) return undefined;
	return PROD.has(v) ? "production" : "nonproduction";
}

/**
 * Critical assets: a `criticality` tag (critical, high, tier0...), a `dataClassification` tag (confidential, PCI,
 * PII...), every Key Vault, and production databases. Tag values are data: only matched against known words.
 */
export function criticalityOf(r: ArmResource): Criticality | undefined {
	// Network plumbing (VNets, NSGs, NICs, IPs, route tables) and identities are never path targets, whatever their tags.
	if (
		/^microsoft\.network\/|^microsoft\.managedidentity\/|^microsoft\.authorization\//.test(
			typeKey(r.type),
		)
	)
		return undefined;
	const reasons: string[] = [];
	let value = 0;
	const c = tagValue(
		r,
		"criticality",
		"businessCriticality",
		"assetCriticality",
	);
	const cv = CRITICALITY_TAG[norm(c)];
	if (cv) {
		value = Math.max(value, cv);
		reasons.push(`tagged criticality=${c}`);
	}
	const d = tagValue(r, "dataClassification", "classification", "dataClass");
	const dv = CLASSIFICATION_TAG[norm(d)];
	if (dv) {
		value = Math.max(value, dv);
		reasons.push(`tagged dataClassification=${d}`);
	}
	const t = typeKey(r.type);
	if (t === T.kv) {
		value = Math.max(value, 0.9);
		reasons.push("Key Vault (holds secrets, keys and certificates)");
	}
	if (DATABASES.has(t) && environmentOf(r) === "production") {
		value = Math.max(value, 0.8);
		reasons.push("production database");
	}
	return value > 0 ? { value, reasons } : undefined;
}
