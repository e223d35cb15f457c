import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, tlsAtLeast } from "../../_lib/evaluate";

/** Unhealthy when the site's minimum TLS version is below 1.2; unknown when the inventory row carries no site config. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.Web/sites"], [
    { path: "properties.siteConfig.minTlsVersion", ok: tlsAtLeast(1.2), expect: "1.2 or newer", missing: "unknown" },
  ], (r: ArmResource) => (/functionapp/i.test(String(r.kind ?? "")) ? undefined : "not a function app (the web-app recommendation covers it)"));
}
