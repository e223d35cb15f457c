import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation, EvaluationContext } from "../../../src/packs/schema";
import { diagnosticLogs } from "../../_lib/evaluate";

/** Healthy when a diagnostic setting sends enabled resource logs to a destination. */
export function evaluate(resource: ArmResource, ctx: EvaluationContext): Evaluation {
  return diagnosticLogs(resource, ctx, ["Microsoft.KeyVault/vaults"]);
}
