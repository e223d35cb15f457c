import type { ArmResource } from "../../../src/domain/resource";
import { compliant, isType, noncompliant, notApplicable, prop } from "../../../src/packs/helpers";
import type { Evaluation } from "../../../src/packs/schema";
import { arr, nicHasPublicIp } from "../../_lib/evaluate";

/** Unhealthy when any IP configuration of the NIC has `properties.publicIPAddress.id`. */
export function evaluate(resource: ArmResource): Evaluation {
  if (!isType(resource, "Microsoft.Network/networkInterfaces")) return notApplicable("not a network interface");
  const cfgs = arr(prop(resource, "properties.ipConfigurations")) ?? [];
  if (nicHasPublicIp(resource)) {
    const pips = cfgs.map((c) => prop(c, "properties.publicIPAddress.id")).filter(Boolean);
    return noncompliant(`a public IP is attached: ${pips.map((p) => String(p).split("/").pop()).join(", ")}`, "properties.ipConfigurations[*].properties.publicIPAddress.id", pips);
  }
  return compliant(`none of ${cfgs.length} IP configuration(s) has a public IP`, "properties.ipConfigurations[*].properties.publicIPAddress.id", null);
}
