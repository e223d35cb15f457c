import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation, EvaluationContext } from "../../../src/packs/schema";
import { ROLE, externalWithRoles } from "../../_lib/evaluate";

/**
 * Unhealthy when a guest (B2B) user holds Owner at subscription scope. Guest status comes from the optional
 * `properties.principalName` hint (`#EXT#` in the UPN); without it the result is notApplicable, never guessed.
 */
export function evaluate(resource: ArmResource, ctx: EvaluationContext): Evaluation {
  return externalWithRoles(resource, ctx, [ROLE.owner], "owner");
}
