import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, eq, isTrue, isFalse, nonEmpty } from "../../_lib/evaluate";

/** Healthy when `properties.disableLocalAuth` is true (SAS keys and connection strings refused). */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.EventHub/namespaces"], [
    { path: "properties.disableLocalAuth", ok: isTrue, expect: "true" },
  ]);
}
