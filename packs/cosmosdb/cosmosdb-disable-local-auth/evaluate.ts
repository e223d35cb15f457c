import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, isTrue } from "../../_lib/evaluate";

/** Unhealthy unless local (key) authentication is disabled. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.DocumentDB/databaseAccounts"], [
    { path: "properties.disableLocalAuth", ok: isTrue, expect: "true (Entra ID only)" },
  ]);
}
