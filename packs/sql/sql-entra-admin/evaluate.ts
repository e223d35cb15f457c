import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation, EvaluationContext } from "../../../src/packs/schema";
import { compliant, isType, noncompliant, notApplicable, prop } from "../../../src/packs/helpers";

/** Healthy when an Entra (ActiveDirectory) administrator is set, on the server row or as an administrators child. */
export function evaluate(resource: ArmResource, ctx: EvaluationContext): Evaluation {
  if (!isType(resource, "Microsoft.Sql/servers")) return notApplicable("not a SQL server");
  const inline = prop(resource, "properties.administrators.administratorType");
  if (typeof inline === "string" && inline.toLowerCase() === "activedirectory")
    return compliant("an Entra administrator is set", "properties.administrators.administratorType", inline);
  const admin = ctx.children().find((c) => c.type.toLowerCase() === "microsoft.sql/servers/administrators" && String(prop(c, "properties.administratorType") ?? "").toLowerCase() === "activedirectory");
  if (admin) return compliant(`Entra administrator '${String(prop(admin, "properties.login"))}' is set`, "administrators/ActiveDirectory.properties.login", prop(admin, "properties.login"));
  return noncompliant("no Microsoft Entra administrator is provisioned", "properties.administrators", null);
}
