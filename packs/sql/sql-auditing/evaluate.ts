import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation, EvaluationContext } from "../../../src/packs/schema";
import { compliant, isType, noncompliant, notApplicable, prop } from "../../../src/packs/helpers";

/** Healthy when the server's auditingSettings child is Enabled (absent means the default, Disabled). */
export function evaluate(resource: ArmResource, ctx: EvaluationContext): Evaluation {
  if (!isType(resource, "Microsoft.Sql/servers")) return notApplicable("not a SQL server");
  const settings = ctx.children().filter((c) => c.type.toLowerCase() === "microsoft.sql/servers/auditingsettings");
  const on = settings.find((s) => String(prop(s, "properties.state") ?? "").toLowerCase() === "enabled");
  if (on) return compliant("server auditing is Enabled", "auditingSettings/default.properties.state", "Enabled");
  return noncompliant(settings.length ? "server auditing is Disabled" : "no auditing settings: auditing is off by default", "auditingSettings/default.properties.state", settings.length ? prop(settings[0], "properties.state") : null);
}
