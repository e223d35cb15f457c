import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { namespaceEvaluate } from "../../_lib/messaging";

/** Healthy when `properties.publicNetworkAccess` is Disabled. */
export function evaluate(resource: ArmResource): Evaluation {
  return namespaceEvaluate(resource, "eventhub", "publicNetwork");
}
