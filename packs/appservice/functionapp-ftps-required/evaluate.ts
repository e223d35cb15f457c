import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { appEvaluate } from "../../_lib/app-service";

/** Unhealthy when FTP is allowed without TLS (ftpsState AllAllowed); unknown when the row carries no site config. */
export function evaluate(resource: ArmResource): Evaluation {
  return appEvaluate(resource, "functionapp", "ftps");
}
