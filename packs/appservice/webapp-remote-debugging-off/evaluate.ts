import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { appEvaluate } from "../../_lib/app-service";

/** Unhealthy when remote debugging is on; unknown when the row carries no site config. */
export function evaluate(resource: ArmResource): Evaluation {
  return appEvaluate(resource, "webapp", "remoteDebugging");
}
