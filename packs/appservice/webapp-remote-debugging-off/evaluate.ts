import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, isFalse } from "../../_lib/evaluate";

/** Unhealthy when remote debugging is on; unknown when the row carries no site config. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.Web/sites"], [
    { path: "properties.siteConfig.remoteDebuggingEnabled", ok: isFalse, expect: "false", missing: "unknown" },
  ], (r: ArmResource) => (/functionapp|workflowapp/i.test(String(r.kind ?? "")) ? "a function or logic app (a separate recommendation covers it)" : undefined));
}
