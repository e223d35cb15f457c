import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, eq } from "../../_lib/evaluate";

/** Healthy when `networkAccessPolicy` is DenyAll or AllowPrivate and `publicNetworkAccess` is Disabled. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.Compute/disks"], [
    { path: "properties.networkAccessPolicy", ok: eq("DenyAll", "AllowPrivate"), expect: "DenyAll or AllowPrivate" },
    { path: "properties.publicNetworkAccess", ok: eq("Disabled"), expect: "Disabled" },
  ]);
}
