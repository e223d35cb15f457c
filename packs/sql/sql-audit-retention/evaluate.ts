import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation, EvaluationContext } from "../../../src/packs/schema";
import { compliant, isType, noncompliant, notApplicable, prop } from "../../../src/packs/helpers";

/** Healthy when enabled auditing keeps records 90 days or more (0 = unlimited); notApplicable when auditing is off. */
export function evaluate(resource: ArmResource, ctx: EvaluationContext): Evaluation {
  if (!isType(resource, "Microsoft.Sql/servers")) return notApplicable("not a SQL server");
  const on = ctx.children().find((c) => c.type.toLowerCase() === "microsoft.sql/servers/auditingsettings" && String(prop(c, "properties.state") ?? "").toLowerCase() === "enabled");
  if (!on) return notApplicable("server auditing is off; the auditing recommendation covers that");
  const days = Number(prop(on, "properties.retentionDays") ?? 0);
  if (days === 0 || days >= 90) return compliant(days === 0 ? "audit records are kept without limit" : `audit records are kept ${days} days`, "auditingSettings/default.properties.retentionDays", days);
  return noncompliant(`audit records are kept only ${days} days`, "auditingSettings/default.properties.retentionDays", days);
}
