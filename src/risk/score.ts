import type { RiskFactor } from "../domain/finding";

/**
 * The dynamic risk score: a weighted sum of factors, each valued 0..1 with a plain-words reason. Weights
 * sum to 100, so the factors' points sum exactly to the score (0-100) and the breakdown explains the order.
 * Weights live in config; changing them re-ranks stored findings without re-ingesting (`rescore`).
 */
export const DEFAULT_WEIGHTS = {
  severity: 25,
  environment: 15,
  dataClassification: 15,
  exposure: 15,
  attackPath: 8,
  alerts: 7,
  exploitability: 5,
  criticality: 5,
  secureScoreImpact: 5,
} as const;

export type RiskWeights = Record<keyof typeof DEFAULT_WEIGHTS, number>;

export interface RiskInputs {
  severity: "High" | "Medium" | "Low";
  environment: string;
  dataClassification?: string;
  exposure: "internet" | "restricted-public" | "private" | "unknown";
  exposureReason?: string;
  onAttackPath: number;
  attackPathReason?: string;
  alerts: { severity: string; ageHours: number; displayName: string }[];
  exploitability: { kev: string[]; maxCvss?: number };
  criticality?: string;
  /** Secure Score points regained by fixing this one resource. */
  secureScoreGain?: number;
  secureScoreControl?: string;
}

export type RiskLevel = "critical" | "high" | "medium" | "low";

export function riskLevel(score: number): RiskLevel {
  return score >= 65 ? "critical" : score >= 45 ? "high" : score >= 25 ? "medium" : "low";
}

const SEVERITY: Record<string, number> = { High: 1, Medium: 0.6, Low: 0.25 };
const ENVIRONMENT: Record<string, number> = { production: 1, shared: 0.6, staging: 0.5, unknown: 0.5, test: 0.2, development: 0.2 };

export function dataClassValue(v: string | undefined): number {
  if (!v) return 0.3;
  const s = v.toLowerCase();
  if (/pci|phi|pii|restricted|secret|cardholder|health|highly/.test(s)) return 1;
  if (/confidential|sensitive/.test(s)) return 0.8;
  if (/internal|private/.test(s)) return 0.4;
  if (/public|open/.test(s)) return 0.1;
  return 0.3;
}

export function criticalityValue(v: string | undefined): number {
  if (!v) return 0.3;
  const s = v.toLowerCase();
  if (/mission|critical|tier ?0|tier ?1|high|crown/.test(s)) return 1;
  if (/medium|tier ?2|moderate/.test(s)) return 0.5;
  if (/low|tier ?3/.test(s)) return 0.2;
  return 0.3;
}

export function scoreRisk(input: RiskInputs, weights: RiskWeights = DEFAULT_WEIGHTS): { score: number; level: RiskLevel; factors: RiskFactor[] } {
  const total = Object.values(weights).reduce((a, b) => a + b, 0) || 1;
  const scale = 100 / total;
  const factors: RiskFactor[] = [];
  const add = (name: keyof RiskWeights, value: number, shown: string | number | boolean, reason: string) => {
    const weight = weights[name] * scale;
    factors.push({ name, value: shown, weight: round(weight), points: round(weight * Math.max(0, Math.min(1, value))), reason });
  };
  add("severity", SEVERITY[input.severity] ?? 0.5, input.severity, `Defender rates this recommendation ${input.severity}`);
  add("environment", ENVIRONMENT[input.environment] ?? 0.5, input.environment, input.environment === "unknown" ? "environment unknown: treated as mid-risk" : `resource is in ${input.environment}`);
  add("dataClassification", dataClassValue(input.dataClassification), input.dataClassification ?? "unclassified", input.dataClassification ? `tagged as holding ${input.dataClassification} data` : "no data classification tag: treated as moderately sensitive");
  const exposureValue = { internet: 1, "restricted-public": 0.4, private: 0, unknown: 0.3 }[input.exposure];
  add("exposure", exposureValue, input.exposure, input.exposureReason ?? `network exposure: ${input.exposure}`);
  add("attackPath", input.onAttackPath > 0 ? 1 : 0, input.onAttackPath, input.onAttackPath > 0 ? (input.attackPathReason ?? `on ${input.onAttackPath} attack path(s) from the Internet to a critical asset`) : "on no known attack path");
  const recent = input.alerts.filter((a) => a.ageHours <= 24 * 7);
  const alertValue = recent.some((a) => a.severity === "High" || a.severity === "Medium") ? 1 : recent.length ? 0.5 : 0;
  add("alerts", alertValue, recent.length, recent.length ? `${recent.length} active alert(s) in the last 7 days, latest: ${recent[0].displayName} ${Math.round(recent[0].ageHours)} h ago` : "no recent alerts on this resource");
  const exploit = input.exploitability.kev.length ? 1 : (input.exploitability.maxCvss ?? 0) >= 9 ? 0.6 : (input.exploitability.maxCvss ?? 0) > 0 ? 0.3 : 0;
  add("exploitability", exploit, input.exploitability.kev.join(",") || (input.exploitability.maxCvss ?? 0), input.exploitability.kev.length ? `known exploited vulnerabilities present (CISA KEV): ${input.exploitability.kev.join(", ")}` : input.exploitability.maxCvss ? `vulnerabilities up to CVSS ${input.exploitability.maxCvss}, none known exploited` : "no known vulnerabilities");
  add("criticality", criticalityValue(input.criticality), input.criticality ?? "untagged", input.criticality ? `business criticality tag: ${input.criticality}` : "no criticality tag");
  const gain = input.secureScoreGain ?? 0;
  add("secureScoreImpact", Math.min(1, gain / 0.5), round(gain), gain > 0 ? `fixing it regains ${round(gain)} Secure Score points (${input.secureScoreControl})` : "no Secure Score points at stake");
  const score = round(factors.reduce((a, f) => a + f.points, 0));
  return { score, level: riskLevel(score), factors };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Re-scores from a stored factor breakdown with new weights (no re-ingest). */
export function rescore(factors: RiskFactor[], weights: RiskWeights): { score: number; level: RiskLevel; factors: RiskFactor[] } {
  const total = Object.values(weights).reduce((a, b) => a + b, 0) || 1;
  const out = factors.map((f) => {
    const value = f.weight > 0 ? f.points / f.weight : 0;
    const weight = ((weights as Record<string, number>)[f.name] ?? 0) * (100 / total);
    return { ...f, weight: round(weight), points: round(weight * value) };
  });
  const score = round(out.reduce((a, f) => a + f.points, 0));
  return { score, level: riskLevel(score), factors: out };
}
