import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation } from "../../../src/packs/schema";
import { checkProps } from "../../_lib/evaluate";

/** Healthy when `properties.encryption.type` uses a customer-managed key (…WithCustomerKey or …WithPlatformAndCustomerKeys). */
export function evaluate(resource: ArmResource): Evaluation {
  return checkProps(resource, ["Microsoft.Compute/disks"], [
    { path: "properties.encryption.type", ok: (v) => typeof v === "string" && /customerkey/i.test(v), expect: "EncryptionAtRestWithCustomerKey or EncryptionAtRestWithPlatformAndCustomerKeys" },
  ]);
}
