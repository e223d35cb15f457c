import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { privateLink } from "../../_lib/evaluate";

/** Healthy when at least one private endpoint connection is approved. */
export function evaluate(resource: ArmResource): Evaluation {
  return privateLink(resource, ["Microsoft.KeyVault/vaults"]);
}
