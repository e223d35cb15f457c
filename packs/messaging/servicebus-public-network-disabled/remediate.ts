import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { namespaceFixes } from "../../_lib/messaging";

export function remediate(ctx: RemediationContext): Remediation[] {
  return namespaceFixes(ctx, { packId: "servicebus-public-network-disabled", service: "servicebus", setting: "publicNetwork" });
}
