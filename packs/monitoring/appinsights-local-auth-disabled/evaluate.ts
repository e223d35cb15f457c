import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, isTrue } from "../../_lib/evaluate";

/** Healthy when `properties.DisableLocalAuth` is true. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.Insights/components"], [
    { path: "properties.DisableLocalAuth", ok: isTrue, expect: "true" },
  ]);
}
