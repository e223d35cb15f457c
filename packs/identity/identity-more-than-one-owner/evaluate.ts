import type { ArmResource } from "../../../src/domain/resource";
import { compliant, isType, noncompliant, notApplicable, prop } from "../../../src/packs/helpers";
import type { Evaluation, EvaluationContext } from "../../../src/packs/schema";
import { ROLE, SUBSCRIPTION, principalLabel, relatedInSubscription, roleOf, subscriptionAssignments } from "../../_lib/evaluate";

/** Unhealthy when fewer than 2 distinct principals hold Owner at subscription scope. */
export function evaluate(resource: ArmResource, ctx: EvaluationContext): Evaluation {
  if (!isType(resource, SUBSCRIPTION)) return notApplicable("owners are assessed per subscription");
  if (relatedInSubscription(resource, ctx, "microsoft.authorization/roleassignments").length === 0) return notApplicable("no role assignments were collected for this subscription");
  const owners = subscriptionAssignments(resource, ctx).filter((a) => roleOf(a) === ROLE.owner);
  const principals = [...new Map(owners.map((a) => [String(prop(a, "properties.principalId") ?? a.id).toLowerCase(), a])).values()];
  const names = principals.map(principalLabel);
  if (principals.length < 2) return noncompliant(`only ${principals.length} principal(s) hold Owner on the subscription: ${names.join(", ") || "none"}`, "roleAssignments[Owner]", names);
  return compliant(`${principals.length} owners at subscription scope`, "roleAssignments[Owner]", names.length);
}
