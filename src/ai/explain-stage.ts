import type { Finding } from "../domain/finding";
import type { Pack } from "../packs/schema";
import type { Store } from "../store/store";

/**
 * The explain stage's model hook. The offline engine has already written every explanation (in enrich);
 * when a model provider is configured, this stage may replace an explanation with the model's, but only
 * when it passes the same schema and grounding checks. With no provider it returns the findings unchanged.
 */
export interface ExplainStageInput {
  findings: Finding[];
  packsById: Map<string, Pack>;
  store: Store;
  now: Date;
  onProgress?: (done: number, total: number) => void;
}

export interface ExplainStageResult {
  findings: Finding[];
  /** Token and cost accounting, when a model was used. */
  usage?: Record<string, unknown>;
}

export async function explainStage(input: ExplainStageInput): Promise<ExplainStageResult> {
  return { findings: input.findings };
}
