import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { appEvaluate } from "../../_lib/app-service";

/** Unhealthy when `siteConfig.cors.allowedOrigins` contains "*"; unknown when the inventory row carries no site config. */
export function evaluate(resource: ArmResource): Evaluation {
  return appEvaluate(resource, "webapp", "cors");
}
