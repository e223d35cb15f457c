import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, isTrue } from "../../_lib/evaluate";

/** Healthy when `properties.disableLocalAccounts` is true. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.ContainerService/managedClusters"], [
    { path: "properties.disableLocalAccounts", ok: isTrue, expect: "true" },
  ]);
}
