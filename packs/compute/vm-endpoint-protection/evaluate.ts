import type { ArmResource } from "../../../src/domain/resource";
import { compliant, isType, noncompliant, notApplicable } from "../../../src/packs/helpers";
import type { Evaluation, EvaluationContext } from "../../../src/packs/schema";
import { MDE_EXTENSION } from "../../_lib/defender-endpoint";
import { VM, hasExtension, osType, vmExtensions } from "../../_lib/evaluate";

/** Healthy when the VM has a Succeeded endpoint protection extension: Defender for Endpoint (MDE.Windows / MDE.Linux) or Microsoft Antimalware (IaaSAntimalware). */
export function evaluate(resource: ArmResource, ctx: EvaluationContext): Evaluation {
  if (!isType(resource, VM)) return notApplicable(`not a ${VM}`);
  const os = osType(resource);
  const mde = hasExtension(resource, ctx, MDE_EXTENSION);
  if (mde) return compliant(`Defender for Endpoint extension '${mde.name.split("/").pop()}' is installed`, "extensions", mde.name);
  const am = hasExtension(resource, ctx, { publisher: "Microsoft.Azure.Security", types: ["IaaSAntimalware"] });
  if (am) return compliant(`Microsoft Antimalware extension '${am.name.split("/").pop()}' is installed`, "extensions", am.name);
  return noncompliant(`no endpoint protection extension among ${vmExtensions(resource, ctx).length} extension(s) on this ${os ?? "machine"}`, "extensions", vmExtensions(resource, ctx).map((e) => e.name.split("/").pop()));
}
