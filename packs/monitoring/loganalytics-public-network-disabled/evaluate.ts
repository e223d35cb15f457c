import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, eq } from "../../_lib/evaluate";

/** Healthy when both `publicNetworkAccessForIngestion` and `publicNetworkAccessForQuery` are Disabled. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.OperationalInsights/workspaces"], [
    { path: "properties.publicNetworkAccessForIngestion", ok: eq("Disabled"), expect: "Disabled" },
    { path: "properties.publicNetworkAccessForQuery", ok: eq("Disabled"), expect: "Disabled" },
  ]);
}
