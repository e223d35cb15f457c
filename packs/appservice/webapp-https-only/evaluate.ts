import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, isTrue } from "../../_lib/evaluate";

/** Unhealthy unless the site redirects HTTP to HTTPS (httpsOnly). */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.Web/sites"], [
    { path: "properties.httpsOnly", ok: isTrue, expect: "true" },
  ], (r: ArmResource) => (/functionapp|workflowapp/i.test(String(r.kind ?? "")) ? "a function or logic app (a separate recommendation covers it)" : undefined));
}
