import type { ArmResource } from "../../../src/domain/resource";
import { compliant, noncompliant } from "../../../src/packs/helpers";
import type { Evaluation, EvaluationContext } from "../../../src/packs/schema";
import { subscriptionOwners } from "../../_lib/evaluate";

/** Unhealthy when fewer than 2 distinct principals hold Owner at subscription scope. */
export function evaluate(resource: ArmResource, ctx: EvaluationContext): Evaluation {
  const owners = subscriptionOwners(resource, ctx);
  if ("result" in owners) return owners;
  const { names } = owners;
  if (names.length < 2) return noncompliant(`only ${names.length} principal(s) hold Owner on the subscription: ${names.join(", ") || "none"}`, "roleAssignments[Owner]", names);
  return compliant(`${names.length} owners at subscription scope`, "roleAssignments[Owner]", names.length);
}
