import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { namespaceEvaluate } from "../../_lib/messaging";

/** Healthy when `properties.disableLocalAuth` is true (SAS keys and connection strings refused). */
export function evaluate(resource: ArmResource): Evaluation {
  return namespaceEvaluate(resource, "servicebus", "localAuth");
}
