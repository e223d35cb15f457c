import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, tlsAtLeast } from "../../_lib/evaluate";

/** Unhealthy when the minimal TLS version is below 1.2 or unset. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.Sql/servers"], [
    { path: "properties.minimalTlsVersion", ok: tlsAtLeast(1.2), expect: "1.2 or newer" },
  ]);
}
