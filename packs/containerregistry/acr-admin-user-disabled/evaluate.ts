import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, isFalse } from "../../_lib/evaluate";

/** Unhealthy when the registry's admin user is enabled. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.ContainerRegistry/registries"], [
    { path: "properties.adminUserEnabled", ok: isFalse, expect: "false", missing: "pass" },
  ]);
}
