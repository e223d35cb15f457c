import type { ArmResource } from "../../../src/domain/resource";
import { compliant, isType, noncompliant, notApplicable } from "../../../src/packs/helpers";
import type { Evaluation, EvaluationContext } from "../../../src/packs/schema";
import { VM, describeExposure, inboundAllowRules, reachable, vmExposure, type Exposure } from "../../_lib/evaluate";

/** Ports meant for the public: web traffic. Anything else reachable from the Internet is too permissive. */
const PUBLIC = new Set(["80", "443"]);

/**
 * Unhealthy when the Internet can reach any port other than 80/443 through every NSG on the VM's path. Candidate ports
 * are taken from the Internet-facing Allow rules (the first port of a range stands for the range, `*` for all).
 */
export function evaluate(resource: ArmResource, ctx: EvaluationContext): Evaluation {
  if (!isType(resource, VM)) return notApplicable(`not a ${VM}`);
  const x = vmExposure(resource, ctx, []);
  if (x.nics.length === 0) return notApplicable("the VM's network interfaces were not collected");
  if (x.missing.length) return notApplicable(`NSG(s) ${x.missing.join(", ")} are referenced but were not collected`);
  if (x.nics.every((l) => l.nsgs.length === 0)) return notApplicable("no NSG is associated with the VM; covered by the NSG recommendations");
  const open: Exposure[] = [];
  for (const l of x.nics) {
    const specs = new Set(l.nsgs.flatMap((n) => inboundAllowRules(n).flatMap((r) => r.ports)).map((p) => p.trim()));
    for (const spec of specs) {
      if (PUBLIC.has(spec)) continue;
      const port: number | "*" = spec === "*" ? "*" : Number(spec.split("-")[0]);
      if (port !== "*" && !Number.isFinite(port)) continue;
      const rules = reachable(l, port);
      if (rules) open.push({ nic: l.nic.name, port, rules });
    }
  }
  if (open.length) return noncompliant(`non-web ports reachable from the Internet: ${describeExposure(open)}`, "securityRules", open.map((o) => String(o.port)));
  return compliant("only web ports (80/443), if any, are reachable from the Internet", "securityRules", 0);
}
