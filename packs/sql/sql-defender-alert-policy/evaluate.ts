import type { ArmResource } from "../../../src/domain/resource";
import { compliant, isType, noncompliant, notApplicable, prop } from "../../../src/packs/helpers";
import type { Evaluation, EvaluationContext } from "../../../src/packs/schema";

const ALERTS = "microsoft.sql/servers/securityalertpolicies";

/** Healthy when the server's securityAlertPolicies (Default) child has `properties.state` Enabled (Defender for SQL on the server). */
export function evaluate(resource: ArmResource, ctx: EvaluationContext): Evaluation {
  if (!isType(resource, "Microsoft.Sql/servers")) return notApplicable("not a SQL server");
  const prefix = `${resource.id.toLowerCase()}/securityalertpolicies/`;
  const row = [...ctx.children(), ...ctx.related(ALERTS)].find((r) => r.id.toLowerCase().startsWith(prefix));
  if (!row) return notApplicable("the server's advanced threat protection setting was not collected");
  const state = String(prop(row, "properties.state") ?? "");
  if (state.toLowerCase() === "enabled") return compliant("advanced threat protection (Defender for SQL) is Enabled on the server", "securityAlertPolicies.properties.state", state);
  return noncompliant(`advanced threat protection is ${state || "absent"}: SQL injection, brute force and anomalous access raise no alert`, "securityAlertPolicies.properties.state", state || null);
}
