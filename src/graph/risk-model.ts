import { z } from "zod";

/**
 * The attack-path risk model: five factors, each a value in [0, 1] times a weight; the score is the sum of the
 * contributions (0-100 with the default weights), so the breakdown always sums to the score. Weights are config:
 * pass other weights to `rescorePaths` to re-rank without rebuilding the graph or re-ingesting.
 */
export const RiskWeightsSchema = z.object({
	/** how the entry is reachable (management port > data port > web > other) */
	exposure: z.number().min(0).default(25),
	/** how critical the target is */
	criticality: z.number().min(0).default(25),
	/** active Defender / Sentinel alerts on any node of the path, decayed by age */
	threat: z.number().min(0).default(20),
	/** vulnerabilities on the path, CISA KEV highest */
	exploitability: z.number().min(0).default(15),
	/** fewer hops = easier */
	proximity: z.number().min(0).default(15),
});
export type RiskWeights = z.infer<typeof RiskWeightsSchema>;
export const DEFAULT_WEIGHTS: RiskWeights = RiskWeightsSchema.parse({});

/** Alert age half-life (hours) and the age after which an alert no longer counts. */
export const ALERT_HALF_LIFE_H = 72;
export const ALERT_MAX_AGE_H = 24 * 30;

export interface RiskFactor {
	name: keyof RiskWeights;
	value: number;
	weight: number;
	contribution: number;
	reason: string;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Recomputes contributions and the total from factor values and weights. */
export function scoreFactors(
	factors: Omit<RiskFactor, "weight" | "contribution">[],
	weights: RiskWeights = DEFAULT_WEIGHTS,
): { risk: number; factors: RiskFactor[] } {
	const out = factors.map((f) => {
		const weight = weights[f.name];
		return { ...f, weight, contribution: round1(f.value * weight) };
	});
	return {
		risk: round1(out.reduce((s, f) => s + f.contribution, 0)),
		factors: out,
	};
}

/** Parses `exposure=30,threat=40` (CLI) into weights over the defaults. */
export function parseWeights(
	text: string | undefined,
	base: RiskWeights = DEFAULT_WEIGHTS,
): RiskWeights {
	if (!text) return base;
	const obj: Record<string, number> = { ...base };
	for (const part of text.split(",")) {
		const [k, v] = part.split("=").map((s) => s.trim());
		if (!(k in base))
			throw new Error(
				`unknown risk weight '${k}' (known: ${Object.keys(base).join(", ")})`,
			);
		obj[k] = Number(v);
	}
	return RiskWeightsSchema.parse(obj);
}
