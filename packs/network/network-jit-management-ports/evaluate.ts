import type { ArmResource } from "../../../src/domain/resource";
import { compliant, isType, noncompliant, notApplicable, prop } from "../../../src/packs/helpers";
import type { Evaluation, EvaluationContext } from "../../../src/packs/schema";
import { MANAGEMENT_PORTS, VM, arr, inboundAllowRules, portMatches, vmExposure } from "../../_lib/evaluate";

const JIT = "microsoft.security/locations/jitnetworkaccesspolicies";

/**
 * Healthy when a just-in-time policy (microsoft.security/locations/jitnetworkaccesspolicies) lists the VM, or when no
 * NSG on its path has a standing inbound Allow for a management port; Unhealthy when such a standing rule exists and
 * no JIT policy covers the VM. A VM without any NSG is notApplicable (JIT works through an NSG).
 */
export function evaluate(resource: ArmResource, ctx: EvaluationContext): Evaluation {
  if (!isType(resource, VM)) return notApplicable(`not a ${VM}`);
  const covered = ctx.related(JIT).find((p) => (arr(prop(p, "properties.virtualMachines")) ?? []).some((v) => String(prop(v, "id") ?? "").toLowerCase() === resource.id.toLowerCase()));
  if (covered) return compliant(`just-in-time policy '${covered.name}' covers this VM`, "jitNetworkAccessPolicies", covered.name);
  const x = vmExposure(resource, ctx, MANAGEMENT_PORTS);
  if (x.nics.length === 0) return notApplicable("the VM's network interfaces were not collected");
  const nsgs = x.nics.flatMap((l) => l.nsgs);
  if (nsgs.length === 0) return notApplicable("no NSG is associated with the VM, so just-in-time access cannot be applied");
  const standing = nsgs.flatMap((n) => inboundAllowRules(n).filter((r) => r.ports.some((p) => MANAGEMENT_PORTS.some((m) => portMatches(p, m)))).map((r) => `${n.name}/${r.rule}`));
  if (standing.length) return noncompliant(`standing inbound Allow rule(s) for management ports and no just-in-time policy: ${standing.join(", ")}`, "securityRules", standing);
  return compliant("no NSG on the VM's path keeps a management port open, so there is nothing for just-in-time access to replace", "securityRules", 0);
}
