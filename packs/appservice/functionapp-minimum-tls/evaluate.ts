import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { appEvaluate } from "../../_lib/app-service";

/** Unhealthy when the site's minimum TLS version is below 1.2; unknown when the inventory row carries no site config. */
export function evaluate(resource: ArmResource): Evaluation {
  return appEvaluate(resource, "functionapp", "minTls");
}
