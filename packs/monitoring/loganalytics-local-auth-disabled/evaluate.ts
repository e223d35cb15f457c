import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, isTrue } from "../../_lib/evaluate";

/** Healthy when `properties.features.disableLocalAuth` is true. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.OperationalInsights/workspaces"], [
    { path: "properties.features.disableLocalAuth", ok: isTrue, expect: "true" },
  ]);
}
