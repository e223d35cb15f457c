import type { ArmResource } from "../../../src/domain/resource";
import { compliant, isType, noncompliant, notApplicable } from "../../../src/packs/helpers";
import type { Evaluation, EvaluationContext } from "../../../src/packs/schema";
import { MANAGEMENT_PORTS, VM, describeExposure, vmExposure } from "../../_lib/evaluate";

/**
 * Unhealthy when the Internet can reach SSH (22), RDP (3389) or WinRM (5985/5986) on the VM: inbound traffic passes
 * the subnet NSG and then the NIC NSG, each evaluated in priority order, so a port is open only when every NSG on
 * the path allows it before any deny.
 */
export function evaluate(resource: ArmResource, ctx: EvaluationContext): Evaluation {
  if (!isType(resource, VM)) return notApplicable(`not a ${VM}`);
  const x = vmExposure(resource, ctx, MANAGEMENT_PORTS);
  if (x.nics.length === 0) return notApplicable("the VM's network interfaces were not collected");
  if (x.missing.length) return notApplicable(`NSG(s) ${x.missing.join(", ")} are referenced but were not collected`);
  if (x.open.length) return noncompliant(`management ports reachable from the Internet: ${describeExposure(x.open)}`, "securityRules", x.open.map((o) => `${o.port}:${o.rules.map((r) => `${r.nsg}/${r.rule}`).join("+")}`));
  if (x.unfiltered.length) return notApplicable(`no NSG filters ${x.unfiltered.join(", ")}; covered by the NSG recommendations`);
  return compliant(`no NSG path lets the Internet reach ports ${MANAGEMENT_PORTS.join(", ")}`, "securityRules", MANAGEMENT_PORTS.length);
}
