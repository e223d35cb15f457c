import type { LlmConfig } from "../config/config";

/**
 * Token and cost accounting for one run and one provider, with the budget (tokens and cost) and the alerts:
 * `budget` when a call would overrun it (the group falls back to the offline engine instead), `spike` when
 * the run used more than `spikeFactor` times the previous run's tokens.
 */
export interface UsageAlert {
  kind: "budget" | "spike";
  message: string;
}

export interface UsageReport {
  provider: string;
  model: string;
  calls: number;
  retries: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cost: number;
  cacheHits: number;
  groups: number;
  findings: number;
  modelExplanations: number;
  fallbacks: number;
  skippedForBudget: number;
  alerts: UsageAlert[];
}

export class UsageMeter {
  readonly report: UsageReport;
  constructor(
    readonly cfg: Pick<LlmConfig, "budgetTokensPerRun" | "budgetCostPerRun" | "pricePer1kInput" | "pricePer1kOutput" | "spikeFactor">,
    provider: string,
    model: string,
  ) {
    this.report = {
      provider,
      model,
      calls: 0,
      retries: 0,
      promptTokens: 0,
      completionTokens: 0,
      totalTokens: 0,
      cost: 0,
      cacheHits: 0,
      groups: 0,
      findings: 0,
      modelExplanations: 0,
      fallbacks: 0,
      skippedForBudget: 0,
      alerts: [],
    };
  }

  costOf(prompt: number, completion: number): number {
    return (prompt / 1000) * this.cfg.pricePer1kInput + (completion / 1000) * this.cfg.pricePer1kOutput;
  }

  /** True when a call of about this size still fits the budget; otherwise records the overrun alert once. */
  allow(estimatedPrompt: number, estimatedCompletion: number): boolean {
    const r = this.report;
    const tokens = r.totalTokens + estimatedPrompt + estimatedCompletion;
    const cost = r.cost + this.costOf(estimatedPrompt, estimatedCompletion);
    const overTokens = this.cfg.budgetTokensPerRun > 0 && tokens > this.cfg.budgetTokensPerRun;
    const overCost = this.cfg.budgetCostPerRun > 0 && cost > this.cfg.budgetCostPerRun;
    if (!overTokens && !overCost) return true;
    r.skippedForBudget++;
    if (!r.alerts.some((a) => a.kind === "budget"))
      r.alerts.push({
        kind: "budget",
        message: overTokens
          ? `token budget of ${this.cfg.budgetTokensPerRun} per run reached (${r.totalTokens} used); remaining groups use the offline engine`
          : `cost budget of ${this.cfg.budgetCostPerRun} per run reached (${r.cost.toFixed(4)} used); remaining groups use the offline engine`,
      });
    return false;
  }

  record(promptTokens: number, completionTokens: number, attempts = 1): void {
    const r = this.report;
    r.calls++;
    r.retries += Math.max(0, attempts - 1);
    r.promptTokens += promptTokens;
    r.completionTokens += completionTokens;
    r.totalTokens = r.promptTokens + r.completionTokens;
    r.cost = this.costOf(r.promptTokens, r.completionTokens);
  }

  /** Compares with the previous run of the same provider and records a spike alert. */
  checkSpike(previousTokens: number | undefined): void {
    const r = this.report;
    if (previousTokens && previousTokens > 0 && r.totalTokens > this.cfg.spikeFactor * previousTokens)
      r.alerts.push({
        kind: "spike",
        message: `this run used ${r.totalTokens} tokens, ${(r.totalTokens / previousTokens).toFixed(1)}x the previous run's ${previousTokens} (alert above ${this.cfg.spikeFactor}x)`,
      });
  }
}
