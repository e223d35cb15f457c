import type { ArmResource } from "../../../src/domain/resource";
import { compliant, isType, noncompliant, notApplicable, prop } from "../../../src/packs/helpers";
import type { Evaluation, EvaluationContext } from "../../../src/packs/schema";
import { VM, hasExtension, isTrue, osType } from "../../_lib/evaluate";

/** Linux VMs: Healthy with encryption at host (`securityProfile.encryptionAtHost`) or a Succeeded AzureDiskEncryptionForLinux extension. */
export function evaluate(resource: ArmResource, ctx: EvaluationContext): Evaluation {
  if (!isType(resource, VM)) return notApplicable(`not a ${VM}`);
  if (osType(resource) !== "linux") return notApplicable("not a Linux virtual machine");
  const eah = prop(resource, "properties.securityProfile.encryptionAtHost");
  if (isTrue(eah)) return compliant("encryption at host is on", "properties.securityProfile.encryptionAtHost", eah);
  const ade = hasExtension(resource, ctx, { publisher: "Microsoft.Azure.Security", types: ["AzureDiskEncryptionForLinux"] });
  if (ade) return compliant(`Azure Disk Encryption extension '${ade.name.split("/").pop()}' is installed`, "extensions", ade.name);
  return noncompliant("neither encryption at host nor Azure Disk Encryption is enabled, so temp disks and caches are unencrypted", "properties.securityProfile.encryptionAtHost", eah ?? null);
}
