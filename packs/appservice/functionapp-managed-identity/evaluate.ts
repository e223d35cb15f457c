import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps } from "../../_lib/evaluate";

/** Healthy when the site has a system- or user-assigned managed identity. */
export function evaluate(resource: ArmResource): Evaluation {
  const applies = (r: ArmResource) => (/functionapp/i.test(String(r.kind ?? "")) ? undefined : "not a function app (the web-app recommendation covers it)");
  return checkProps(resource, ["Microsoft.Web/sites"], [
    { path: "identity.type", ok: (v) => typeof v === "string" && /assigned/i.test(v), expect: "SystemAssigned or UserAssigned" },
  ], applies);
}
