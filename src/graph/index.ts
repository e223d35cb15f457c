/**
 * Exposure graph, NSG evaluation and attack paths. Public API:
 * - `buildGraph(resources)`: the CSR graph (Internet, resources, VNets; exposure, network, identity edges)
 * - `computeExposure(resources)`: `[{resourceId, ports, protocol, via, ...}]`
 * - `findAttackPaths(resources, {alerts, subAssessments, now, topPerTarget})`: ranked paths with risk breakdown
 * - `rescorePaths(paths, weights)`: re-rank under other weights
 * - `kevLookup(cve)`: CISA KEV facts for a CVE
 */
export { buildGraph, EDGE_KINDS, INTERNET_ID, type ExposureGraph } from "./build";
export { computeExposure, type Exposure } from "./exposure";
export { findAttackPaths, rescorePaths, pathsByResource, alertKind, type AttackPath, type FindPathsOptions } from "./paths";
export { DEFAULT_WEIGHTS, RiskWeightsSchema, parseWeights, type RiskWeights, type RiskFactor } from "./risk-model";
export { criticalityOf, environmentOf, type Criticality } from "./criticality";
export { evaluateInbound, evaluateNsg, internetAllowed, parseNsg, type Flow, type Nsg, type RuleRef } from "./nsg";
export { kevLookup, loadKevFromStore, type KevEntry } from "../feeds/kev";
