import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation, EvaluationContext } from "../../../src/packs/schema";
import { vmNsgEvaluate } from "../../_lib/vm-nsg";

/** Applies to VMs with a public IP on a NIC. Unhealthy when a NIC has no NSG on the NIC or its subnet. */
export function evaluate(resource: ArmResource, ctx: EvaluationContext): Evaluation {
  return vmNsgEvaluate(resource, ctx, true);
}
