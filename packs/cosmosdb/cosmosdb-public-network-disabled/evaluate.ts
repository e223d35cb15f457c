import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, eq } from "../../_lib/evaluate";

/** Unhealthy unless public network access is Disabled. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.DocumentDB/databaseAccounts"], [
    { path: "properties.publicNetworkAccess", ok: eq("Disabled"), expect: "Disabled" },
  ]);
}
