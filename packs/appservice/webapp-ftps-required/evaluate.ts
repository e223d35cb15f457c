import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps, eq } from "../../_lib/evaluate";

/** Unhealthy when FTP is allowed without TLS (ftpsState AllAllowed); unknown when the row carries no site config. */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.Web/sites"], [
    { path: "properties.siteConfig.ftpsState", ok: eq("FtpsOnly", "Disabled"), expect: "FtpsOnly or Disabled", missing: "unknown" },
  ], (r: ArmResource) => (/functionapp|workflowapp/i.test(String(r.kind ?? "")) ? "a function or logic app (a separate recommendation covers it)" : undefined));
}
