import type { ArmResource } from "../../../src/domain/resource";
import { compliant, isType, noncompliant, notApplicable, prop } from "../../../src/packs/helpers";
import type { Evaluation, EvaluationContext } from "../../../src/packs/schema";
import { VM, hasExtension } from "../../_lib/evaluate";

/** Applies to VMs with the Guest Configuration extension; Healthy when `identity.type` includes SystemAssigned. */
export function evaluate(resource: ArmResource, ctx: EvaluationContext): Evaluation {
  if (!isType(resource, VM)) return notApplicable(`not a ${VM}`);
  const gc = hasExtension(resource, ctx, { publisher: "Microsoft.GuestConfiguration", types: ["ConfigurationforWindows", "ConfigurationForLinux"] });
  if (!gc) return notApplicable("the Guest Configuration extension is not installed");
  const type = String(prop(resource, "identity.type") ?? "None");
  if (/systemassigned/i.test(type)) return compliant(`identity.type is ${type}`, "identity.type", type);
  return noncompliant(`the Guest Configuration extension is installed but identity.type is ${type}, so it cannot report`, "identity.type", type);
}
