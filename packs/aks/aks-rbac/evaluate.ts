import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, isTrue } from "../../_lib/evaluate";

/** Unhealthy unless Kubernetes RBAC is enabled. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.ContainerService/managedClusters"], [
    { path: "properties.enableRBAC", ok: isTrue, expect: "true" },
  ]);
}
