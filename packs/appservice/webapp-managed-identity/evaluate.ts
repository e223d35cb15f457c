import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { appEvaluate } from "../../_lib/app-service";

/** Healthy when the site has a system- or user-assigned managed identity. */
export function evaluate(resource: ArmResource): Evaluation {
  return appEvaluate(resource, "webapp", "identity");
}
