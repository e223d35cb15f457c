import type { ArmResource } from "../../../src/domain/resource";
import { compliant, isType, noncompliant, notApplicable, prop } from "../../../src/packs/helpers";
import type { Evaluation, EvaluationContext } from "../../../src/packs/schema";

const TDE = "microsoft.sql/servers/databases/transparentdataencryption";

/** Healthy when the database's transparentDataEncryption child (`current`) has `properties.state` Enabled; master is exempt. */
export function evaluate(resource: ArmResource, ctx: EvaluationContext): Evaluation {
  if (!isType(resource, "Microsoft.Sql/servers/databases")) return notApplicable("not a SQL database");
  if (resource.name.split("/").pop()?.toLowerCase() === "master") return notApplicable("the master database is encrypted by the platform and is not assessed");
  const prefix = `${resource.id.toLowerCase()}/transparentdataencryption/`;
  const row = [...ctx.children(), ...ctx.related(TDE)].find((r) => r.type.toLowerCase() === TDE && r.id.toLowerCase().startsWith(prefix));
  if (!row) return notApplicable("the database's transparent data encryption setting was not collected");
  const state = String(prop(row, "properties.state") ?? prop(row, "properties.status") ?? "");
  if (state.toLowerCase() === "enabled") return compliant("transparent data encryption is Enabled", "transparentDataEncryption.properties.state", state);
  return noncompliant(`transparent data encryption is ${state || "absent"}: data files, logs and backups are stored unencrypted`, "transparentDataEncryption.properties.state", state || null);
}
