import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, isFalse } from "../../_lib/evaluate";

/** Unhealthy when a NIC has `properties.enableIPForwarding` true (absent means Azure's default, false). */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.Network/networkInterfaces"], [{ path: "properties.enableIPForwarding", ok: isFalse, expect: "false", missing: "pass" }]);
}
