import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, tlsAtLeast } from "../../_lib/evaluate";

/** Unhealthy when the minimum TLS version is below 1.2 (absent means the old default, TLS1_0). */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.Storage/storageAccounts"], [
    { path: "properties.minimumTlsVersion", ok: tlsAtLeast(1.2), expect: "TLS1_2 or newer" },
  ]);
}
