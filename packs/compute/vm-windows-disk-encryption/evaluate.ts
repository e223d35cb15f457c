import type { ArmResource } from "../../../src/domain/resource";
import type { Evaluation, EvaluationContext } from "../../../src/packs/schema";
import { diskEncryptionEvaluate } from "../../_lib/vm-security";

/** Windows VMs: Healthy with encryption at host (`securityProfile.encryptionAtHost`) or a Succeeded AzureDiskEncryption extension. */
export function evaluate(resource: ArmResource, ctx: EvaluationContext): Evaluation {
  return diskEncryptionEvaluate(resource, ctx, "windows");
}
