import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps } from "../../_lib/evaluate";

/** Unhealthy when `siteConfig.cors.allowedOrigins` contains "*"; unknown when the inventory row carries no site config. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.Web/sites"], [
    { path: "properties.siteConfig.cors.allowedOrigins", ok: (v) => Array.isArray(v) && !v.includes("*"), expect: "a list of named origins, not *", missing: "pass" },
  ], (r) => (r.properties?.siteConfig ? ((r: ArmResource) => (/functionapp/i.test(String(r.kind ?? "")) ? undefined : "not a function app"))(r) : "the inventory row carries no site config"));
}
