import type { ArmResource } from "../../../src/domain/resource";
import { compliant, isType, noncompliant, notApplicable } from "../../../src/packs/helpers";
import type { Evaluation, EvaluationContext } from "../../../src/packs/schema";
import { VM, nicHasPublicIp, vmExposure } from "../../_lib/evaluate";

/**
 * Applies to VMs whose NICs has no a public IP. Unhealthy when a NIC has no NSG on either layer (NIC or subnet), so
 * nothing filters its inbound traffic; Healthy when every NIC is covered by at least one NSG.
 */
export function evaluate(resource: ArmResource, ctx: EvaluationContext): Evaluation {
  if (!isType(resource, VM)) return notApplicable(`not a ${VM}`);
  const x = vmExposure(resource, ctx, []);
  if (x.nics.length === 0) return notApplicable("the VM's network interfaces were not collected");
  const pip = x.nics.some((l) => nicHasPublicIp(l.nic));
  if (pip) return notApplicable(pip ? "the VM has a public IP; see the Internet-facing recommendation" : "the VM has no public IP; see the non-Internet-facing recommendation");
  if (x.unfiltered.length) return noncompliant(`no NSG on ${x.unfiltered.join(", ")} or its subnet, so its inbound traffic is not filtered`, "networkSecurityGroup.id", null);
  return compliant(`every NIC is filtered by an NSG (${x.nics.map((l) => `${l.nic.name}: ${l.nsgs.map((n) => n.name).join(" + ") || l.missing.join(" + ")}`).join("; ")})`, "networkSecurityGroup.id", x.nics.length);
}
