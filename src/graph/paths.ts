import { createHash } from "node:crypto";
import type { Alert, SubAssessment } from "../domain/records";
import type { ArmResource } from "../domain/resource";
import { idKey } from "../domain/resource";
import { kevLookup } from "../feeds/kev";
import { buildGraph, EDGE_KINDS, type ExposureGraph, INTERNET } from "./build";
import type { Exposure } from "./exposure";
import {
	DATA_PORTS,
	describeRange,
	MANAGEMENT_PORTS,
	parsePortRange,
} from "./ports";
import {
	ALERT_HALF_LIFE_H,
	ALERT_MAX_AGE_H,
	DEFAULT_WEIGHTS,
	type RiskFactor,
	type RiskWeights,
	scoreFactors,
} from "./risk-model";
import { kBestPaths, labelPath } from "./search";

export interface AttackPath {
	id: string;
	/** the critical asset at the end */
	target: string;
	targetName: string;
	/** resource ids from the first Internet-facing resource to the target */
	hops: string[];
	/** what each step is: "exposed", "role: Key Vault Secrets User", "vnetReach Tcp 22"... (hops.length - 1 entries) */
	steps: string[];
	entry: { resourceId: string; ports: string[]; protocol: string };
	risk: number;
	/** one sentence for a risk owner */
	summary: string;
	reasons: string[];
	factors: RiskFactor[];
}

export interface FindPathsOptions {
	alerts?: Alert[];
	subAssessments?: SubAssessment[];
	/** reference time for alert ages (default: now) */
	now?: Date | string;
	topPerTarget?: number;
	weights?: RiskWeights;
	/** maximum hops on a path (default 8) */
	maxHops?: number;
	/** reuse a graph already built */
	graph?: ExposureGraph;
	/** candidate paths kept per target by the search before risk ranking (default topPerTarget) */
	candidates?: number;
}

/** Search cost per edge kind: lower = an easier step for an attacker. */
const KIND_COST: Record<(typeof EDGE_KINDS)[number], number> = {
	exposed: 1,
	proxies: 1,
	inVnet: 0.25,
	vnetReach: 1.5,
	peering: 0.5,
	privateEndpoint: 1.5,
	serviceEndpoint: 1.5,
	identity: 0.25,
	role: 1,
	contains: 0.25,
};
export const KIND_COST_ARRAY = Float64Array.from(
	EDGE_KINDS.map((k) => KIND_COST[k]),
);

const SEVERITY: Record<string, number> = {
	high: 1,
	medium: 0.7,
	low: 0.4,
	informational: 0.2,
};

interface ThreatFact {
	value: number;
	text: string;
}

/** What kind of alert this is, for the explanation ("brute-force", "malware", "suspicious sign-in"). */
export function alertKind(a: Pick<Alert, "alertType" | "displayName">): string {
	const s = `${a.alertType} ${a.displayName}`;
	if (/brute.?force|password.?spray|failed.*(logon|login|sign)/i.test(s))
		return "brute-force";
	if (/malware|ransom|trojan|miner|backdoor|webshell|virus/i.test(s))
		return "malware";
	if (
		/sign.?in|log.?on|login|credential|impossible travel|anonymous ip|token/i.test(
			s,
		)
	)
		return "suspicious sign-in";
	return "security";
}

function ago(hours: number): string {
	if (hours < 1) return `${Math.max(1, Math.round(hours * 60))} min ago`;
	if (hours < 48) return `${Math.round(hours)} h ago`;
	return `${Math.round(hours / 24)} days ago`;
}

/** Strongest active alert per node (severity x age decay). */
function threatByNode(
	g: ExposureGraph,
	alerts: Alert[],
	now: number,
): Map<number, ThreatFact> {
	const out = new Map<number, ThreatFact>();
	const ordered = [...alerts].sort((a, b) => b.startTime.localeCompare(a.startTime) || a.id.localeCompare(b.id));
	for (const a of ordered) {
		if (/resolved|dismissed|closed/i.test(a.status ?? "")) continue;
		const t = Date.parse(a.startTime);
		const ageH = Number.isFinite(t) ? Math.max(0, (now - t) / 3_600_000) : 0;
		if (ageH > ALERT_MAX_AGE_H) continue;
		const value =
			(SEVERITY[a.severity.toLowerCase()] ?? 0.2) *
			2 ** (-ageH / ALERT_HALF_LIFE_H);
		for (const rid of a.resourceIds) {
			const n = g.nodeIndex.get(idKey(rid));
			if (n === undefined) continue;
			const name = g.resources[n]?.name ?? rid.split("/").pop();
			const prev = out.get(n);
			if (!prev || prev.value < value)
				out.set(n, {
					value,
					text: `a ${alertKind(a)} alert ("${a.displayName}", ${a.severity}) on ${name} ${ago(ageH)}`,
				});
		}
	}
	return out;
}

/** Worst vulnerability per node: a CISA KEV CVE scores 1, else CVSS / 10 x 0.7. */
function exploitByNode(
	g: ExposureGraph,
	subs: SubAssessment[],
): Map<number, ThreatFact> {
	const out = new Map<number, ThreatFact>();
	// Deterministic whatever order the source returned the rows in: the same facts, the same sentence.
	const ordered = [...subs].sort((a, b) => (b.cvss ?? 0) - (a.cvss ?? 0) || a.id.localeCompare(b.id));
	for (const s of ordered) {
		if (s.status !== "Unhealthy") continue;
		const n = g.nodeIndex.get(idKey(s.resourceId));
		if (n === undefined) continue;
		const name = g.resources[n]?.name ?? s.resourceId.split("/").pop();
		let best: ThreatFact | undefined;
		for (const cve of s.cves ?? []) {
			const k = kevLookup(cve);
			if (k) {
				const f = {
					value: 1,
					text: `${cve} on ${name} is in CISA KEV (added ${k.dateAdded}${k.knownRansomwareCampaignUse ? ", used in ransomware campaigns" : ""})`,
				};
				if (
					!best ||
					best.value < f.value ||
					(k.knownRansomwareCampaignUse &&
						best.value === 1 &&
						!best.text.includes("ransomware"))
				)
					best = f;
			} else if (!best || best.value < 0.7) {
				const v =
					s.cvss !== undefined
						? (Math.min(10, s.cvss) / 10) * 0.7
						: s.severity === "High"
							? 0.6
							: s.severity === "Medium"
								? 0.4
								: 0.2;
				if (!best || best.value < v)
					best = {
						value: v,
						text: `${cve} on ${name}${s.cvss !== undefined ? ` (CVSS ${s.cvss})` : ""}`,
					};
			}
		}
		const prev = out.get(n);
		if (best && (!prev || prev.value < best.value)) out.set(n, best);
	}
	return out;
}

/** How attractive the entry is: management ports 1, data ports 0.9, web 0.6, anything else 0.5, a PaaS endpoint 0.7. */
export function exposureValue(entries: Exposure[]): {
	value: number;
	text: string;
} {
	let best = { value: 0, text: "" };
	for (const e of entries) {
		const paas =
			e.via.length === 1 &&
			!e.via[0].includes("/securityRules/") &&
			!/publicipaddresses/i.test(e.via[0]);
		for (const p of e.ports) {
			const r = parsePortRange(p);
			if (!r) continue;
			const has = (list: number[]) => list.some((x) => x >= r.lo && x <= r.hi);
			const value = paas
				? 0.7
				: has(MANAGEMENT_PORTS)
					? 1
					: has(DATA_PORTS)
						? 0.9
						: r.lo <= 443 && r.hi >= 80
							? 0.6
							: 0.5;
			if (value > best.value) {
				const proto = e.protocol === "*" ? "" : `/${e.protocol}`;
				best = {
					value,
					text: paas
						? `${e.resourceName} accepts connections from the Internet (${e.via[0].split(": ").slice(1).join(": ") || "public endpoint"})`
						: `${describeRange(r)}${proto} open to the ${e.sources} on ${e.resourceName}`,
				};
			}
		}
	}
	return best;
}

function stepText(g: ExposureGraph, from: number, to: number): string {
	for (let e = g.offsets[from]; e < g.offsets[from + 1]; e++)
		if (g.targets[e] === to) {
			const kind = EDGE_KINDS[g.kinds[e]];
			const label = g.labels[e] >= 0 ? g.labelText[g.labels[e]] : "";
			return label ? `${kind}: ${label}` : kind;
		}
	return "";
}

/**
 * All paths from the Internet to critical assets, the best `topPerTarget` per target, ranked by risk.
 * The search picks candidates by a cost that favours exposed, alerted and vulnerable nodes; the explainable risk
 * score then orders them.
 */
export function findAttackPaths(
	resources: ArmResource[],
	opts: FindPathsOptions = {},
): AttackPath[] {
	const g = opts.graph ?? buildGraph(resources);
	const k = opts.topPerTarget ?? 3;
	const now = opts.now ? new Date(opts.now).getTime() : Date.now();
	const weights = opts.weights ?? DEFAULT_WEIGHTS;
	const n = g.nodeIds.length;
	const threat = threatByNode(g, opts.alerts ?? [], now);
	const exploit = exploitByNode(g, opts.subAssessments ?? []);
	const nodeFactor = new Float64Array(n).fill(1);
	for (let i = 0; i < n; i++) {
		const t = Math.max(threat.get(i)?.value ?? 0, exploit.get(i)?.value ?? 0);
		const ent = g.entries.get(i);
		nodeFactor[i] =
			(1 - 0.5 * t) * (ent ? 1.25 - 0.5 * exposureValue(ent).value : 1);
	}
	const isTarget = new Uint8Array(n);
	for (const t of g.critical.keys()) isTarget[t] = 1;
	const cand = Math.max(k, opts.candidates ?? k);
	const r = kBestPaths({
		offsets: g.offsets,
		targets: g.targets,
		kinds: g.kinds,
		kindCost: KIND_COST_ARRAY,
		nodeFactor,
		source: INTERNET,
		isTarget,
		k: cand,
		maxEdges: opts.maxHops ?? 8,
	});

	const out: AttackPath[] = [];
	for (const t of g.critical.keys()) {
		const found: AttackPath[] = [];
		for (let j = 0; j < cand; j++) {
			const l = r.targetLabels[t * cand + j];
			if (l < 0) break;
			const nodes = labelPath(r, l).slice(1); // drop the Internet
			found.push(explainPath(g, nodes, threat, exploit, weights));
		}
		found.sort(
			(a, b) =>
				b.risk - a.risk ||
				a.hops.length - b.hops.length ||
				a.id.localeCompare(b.id),
		);
		// The search can reach the same hop sequence through two entry edges (e.g. Tcp and Udp): keep one.
		const seen = new Set<string>();
		out.push(...found.filter((p) => !seen.has(p.id) && seen.add(p.id)).slice(0, k));
	}
	return out.sort((a, b) => b.risk - a.risk || a.id.localeCompare(b.id));
}

function explainPath(
	g: ExposureGraph,
	nodes: number[],
	threat: Map<number, ThreatFact>,
	exploit: Map<number, ThreatFact>,
	weights: RiskWeights,
): AttackPath {
	const hops = nodes.map((i) => g.nodeIds[i]);
	const name = (i: number) =>
		g.resources[i]?.name ?? g.nodeIds[i].split("/").pop() ?? g.nodeIds[i];
	const target = nodes[nodes.length - 1];
	const entries = g.entries.get(nodes[0]) ?? [];
	const exp = exposureValue(entries);
	const crit = g.critical.get(target) ?? { value: 0, reasons: [] };
	const th = nodes
		.map((i) => threat.get(i))
		.filter((x): x is ThreatFact => !!x)
		.sort((a, b) => b.value - a.value)[0];
	const ex = nodes
		.map((i) => exploit.get(i))
		.filter((x): x is ThreatFact => !!x)
		.sort((a, b) => b.value - a.value)[0];
	const steps = nodes.slice(1).map((to, i) => stepText(g, nodes[i], to));
	const scored = scoreFactors(
		[
			{
				name: "exposure",
				value: exp.value,
				reason: exp.text || "reachable from the Internet",
			},
			{
				name: "criticality",
				value: crit.value,
				reason: `${name(target)}: ${crit.reasons.join("; ")}`,
			},
			{
				name: "threat",
				value: round3(th?.value ?? 0),
				reason: th?.text ?? "no active alert on the path",
			},
			{
				name: "exploitability",
				value: round3(ex?.value ?? 0),
				reason: ex?.text ?? "no known vulnerability on the path",
			},
			{
				name: "proximity",
				value: Math.max(0.1, 1 - 0.2 * (nodes.length - 1)),
				reason: `${nodes.length} hop${nodes.length === 1 ? "" : "s"} from the Internet`,
			},
		],
		weights,
	);
	const reasons: string[] = [
		exp.text || `${name(nodes[0])} is reachable from the Internet`,
	];
	for (let i = 1; i < nodes.length; i++)
		reasons.push(stepReason(g, nodes[i - 1], nodes[i], steps[i - 1], name));
	if (th) reasons.push(th.text);
	if (ex) reasons.push(ex.text);
	reasons.push(`${name(target)} is critical: ${crit.reasons.join("; ")}`);
	const why = [
		exp.text || `${name(nodes[0])} reachable from the Internet`,
		th?.text,
		ex?.text,
	]
		.filter(Boolean)
		.join(" and ");
	const allPorts = [...new Set(entries.flatMap((e) => e.ports))];
	const protos = [...new Set(entries.map((e) => e.protocol))];
	return {
		id: `ap-${createHash("sha1")
			.update(hops.map((h) => h.toLowerCase()).join(">"))
			.digest("hex")
			.slice(0, 12)}`,
		target: hops[hops.length - 1],
		targetName: name(target),
		hops,
		steps,
		entry: {
			resourceId: hops[0],
			ports: allPorts,
			protocol: protos.length === 1 ? protos[0] : "*",
		},
		risk: scored.risk,
		summary: `${why}: path to ${name(target)}`,
		reasons,
		factors: scored.factors,
	};
}

function stepReason(
	_g: ExposureGraph,
	from: number,
	to: number,
	step: string,
	name: (i: number) => string,
): string {
	const [kind, label] = [
		step.split(": ")[0],
		step.split(": ").slice(1).join(": "),
	];
	switch (kind) {
		case "role":
			return `${name(from)}'s managed identity holds ${label} over ${name(to)}`;
		case "identity":
			return `${name(from)} carries the managed identity ${name(to)}`;
		case "inVnet":
			return `${name(from)} sits in virtual network ${name(to)}`;
		case "vnetReach":
			return `${name(to)} admits traffic from ${name(from)} (${label})`;
		case "peering":
			return `${name(from)} is peered with ${name(to)}`;
		case "privateEndpoint":
			return `${name(from)} reaches ${name(to)} through private endpoint ${label.split("/").pop()}`;
		case "serviceEndpoint":
			return `${name(to)} admits subnet ${label.split("/").pop()} of ${name(from)}`;
		case "proxies":
			return `${name(from)} forwards traffic to ${name(to)}`;
		case "contains":
			return `${name(to)} is a database on ${name(from)}`;
		default:
			return `${name(from)} -> ${name(to)}`;
	}
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Re-scores paths under other weights (factor values are kept), re-ranked; no graph rebuild. */
export function rescorePaths(
	paths: AttackPath[],
	weights: RiskWeights,
): AttackPath[] {
	return paths
		.map((p) => {
			const s = scoreFactors(p.factors, weights);
			return { ...p, risk: s.risk, factors: s.factors };
		})
		.sort((a, b) => b.risk - a.risk || a.id.localeCompare(b.id));
}

/** Per resource on any path: the path ids and the highest path risk (for the finding risk factor "on an attack path"). */
export function pathsByResource(
	paths: AttackPath[],
): Map<string, { pathIds: string[]; maxRisk: number; summary: string }> {
	const out = new Map<
		string,
		{ pathIds: string[]; maxRisk: number; summary: string }
	>();
	for (const p of paths)
		for (const h of p.hops) {
			const k = idKey(h);
			const cur = out.get(k) ?? { pathIds: [], maxRisk: 0, summary: "" };
			cur.pathIds.push(p.id);
			if (p.risk > cur.maxRisk) {
				cur.maxRisk = p.risk;
				cur.summary = p.summary;
			}
			out.set(k, cur);
		}
	return out;
}
