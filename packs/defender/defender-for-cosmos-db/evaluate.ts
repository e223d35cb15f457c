import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation, EvaluationContext } from "../../../src/packs/schema";
import { defenderPlan } from "../../_lib/evaluate";

/** Healthy when the subscription's `CosmosDbs` pricing row is on the Standard tier. */
export function evaluate(resource: ArmResource, ctx: EvaluationContext): Evaluation {
  return defenderPlan(resource, ctx, "CosmosDbs");
}
