import type { ArmResource } from "../../../src/domain/resource";
import { compliant, isType, noncompliant, notApplicable } from "../../../src/packs/helpers";
import type { Evaluation, EvaluationContext } from "../../../src/packs/schema";
import { MDE_EXTENSION } from "../../_lib/defender-endpoint";
import { VM, hasExtension, osType, vmExtensions } from "../../_lib/evaluate";

/** Healthy when the VM has a Succeeded Defender for Endpoint extension (MDE.Windows / MDE.Linux); antivirus alone is not EDR. */
export function evaluate(resource: ArmResource, ctx: EvaluationContext): Evaluation {
  if (!isType(resource, VM)) return notApplicable(`not a ${VM}`);
  const os = osType(resource);
  const mde = hasExtension(resource, ctx, MDE_EXTENSION);
  if (mde) return compliant(`Defender for Endpoint extension '${mde.name.split("/").pop()}' is installed`, "extensions", mde.name);
  return noncompliant(`no Defender for Endpoint (EDR) extension on this ${os ?? "machine"}`, "extensions", vmExtensions(resource, ctx).map((e) => e.name.split("/").pop()));
}
