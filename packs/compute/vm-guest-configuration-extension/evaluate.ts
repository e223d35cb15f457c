import type { ArmResource } from "../../../src/domain/resource";
import { compliant, isType, noncompliant, notApplicable } from "../../../src/packs/helpers";
import type { Evaluation, EvaluationContext } from "../../../src/packs/schema";
import { VM, hasExtension, osType, vmExtensions } from "../../_lib/evaluate";

/** Healthy when the VM has a Succeeded Guest Configuration extension (publisher Microsoft.GuestConfiguration, type ConfigurationforWindows / ConfigurationForLinux). */
export function evaluate(resource: ArmResource, ctx: EvaluationContext): Evaluation {
  if (!isType(resource, VM)) return notApplicable(`not a ${VM}`);
  const os = osType(resource);
  const gc = hasExtension(resource, ctx, { publisher: "Microsoft.GuestConfiguration", types: ["ConfigurationforWindows", "ConfigurationForLinux"] });
  if (gc) return compliant(`Guest Configuration extension '${gc.name.split("/").pop()}' is installed`, "extensions", gc.name);
  return noncompliant(`no Guest Configuration extension on this ${os ?? "machine"}`, "extensions", vmExtensions(resource, ctx).map((e) => e.name.split("/").pop()));
}
