import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { appEvaluate } from "../../_lib/app-service";

/** Unhealthy unless the site redirects HTTP to HTTPS (httpsOnly). */
export function evaluate(resource: ArmResource): Evaluation {
  return appEvaluate(resource, "functionapp", "httpsOnly");
}
