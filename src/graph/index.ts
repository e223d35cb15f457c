/**
 * Exposure graph, NSG evaluation and attack paths. Public API:
 * - `buildGraph(resources)`: the CSR graph (Internet, resources, VNets; exposure, network, identity edges)
 * - `computeExposure(resources)`: `[{resourceId, ports, protocol, via, ...}]`
 * - `findAttackPaths(resources, {alerts, subAssessments, now, topPerTarget})`: ranked paths with risk breakdown
 * - `rescorePaths(paths, weights)`: re-rank under other weights
 * - `kevLookup(cve)`: CISA KEV facts for a CVE
 */

export { type KevEntry, kevLookup, loadKevFromStore } from "../feeds/kev";
export {
	buildGraph,
	EDGE_KINDS,
	type ExposureGraph,
	INTERNET_ID,
} from "./build";
export { type Criticality, criticalityOf, environmentOf } from "./criticality";
export { computeExposure, type Exposure } from "./exposure";
export {
	evaluateInbound,
	evaluateNsg,
	type Flow,
	internetAllowed,
	type Nsg,
	parseNsg,
	type RuleRef,
} from "./nsg";
export {
	type AttackPath,
	alertKind,
	type FindPathsOptions,
	findAttackPaths,
	pathsByResource,
	rescorePaths,
} from "./paths";
export {
	DEFAULT_WEIGHTS,
	parseWeights,
	type RiskFactor,
	type RiskWeights,
	RiskWeightsSchema,
} from "./risk-model";
