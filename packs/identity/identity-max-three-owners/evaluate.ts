import type { ArmResource } from "../../../src/domain/resource";
import { compliant, noncompliant } from "../../../src/packs/helpers";
import type { Evaluation, EvaluationContext } from "../../../src/packs/schema";
import { subscriptionOwners } from "../../_lib/evaluate";

/** Unhealthy when more than 3 distinct principals hold Owner at subscription scope. */
export function evaluate(resource: ArmResource, ctx: EvaluationContext): Evaluation {
  const owners = subscriptionOwners(resource, ctx);
  if ("result" in owners) return owners;
  const { names } = owners;
  if (names.length > 3) return noncompliant(`${names.length} principals hold Owner on the subscription (maximum 3): ${names.slice(0, 8).join(", ")}`, "roleAssignments[Owner]", names);
  return compliant(`${names.length} owner(s) at subscription scope`, "roleAssignments[Owner]", names.length);
}
