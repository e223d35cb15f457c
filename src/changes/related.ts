/**
 * Resources whose changes can change another resource's exposure: the NSGs that filter a VM's traffic
 * (on its network interfaces and on their subnets), and the NSGs of a network interface.
 * A write to `nsg-web-prd/securityRules/allow-rdp` can make "management ports should be closed" fail on a VM.
 */
import type { ArmResource } from "../domain/resource";

type Ref = { id?: string } | null | undefined;

function idOf(ref: unknown): string | undefined {
  const id = (ref as Ref)?.id;
  return typeof id === "string" && id ? id.toLowerCase() : undefined;
}

/** Map: lower-cased VM or NIC id → lower-cased ids of the NSGs that filter its traffic. */
export function nsgsFiltering(resources: ArmResource[]): Map<string, string[]> {
  const subnetNsg = new Map<string, string>();
  const nicNsgs = new Map<string, string[]>();
  for (const r of resources) {
    const type = r.type.toLowerCase();
    const p = (r.properties ?? {}) as Record<string, unknown>;
    if (type === "microsoft.network/virtualnetworks") {
      for (const s of (p.subnets as { id?: string; properties?: Record<string, unknown> }[] | undefined) ?? []) {
        const nsg = idOf(s.properties?.networkSecurityGroup);
        if (s.id && nsg) subnetNsg.set(s.id.toLowerCase(), nsg);
      }
    } else if (type === "microsoft.network/virtualnetworks/subnets") {
      const nsg = idOf(p.networkSecurityGroup);
      if (nsg) subnetNsg.set(r.id.toLowerCase(), nsg);
    }
  }
  for (const r of resources) {
    if (r.type.toLowerCase() !== "microsoft.network/networkinterfaces") continue;
    const p = (r.properties ?? {}) as Record<string, unknown>;
    const list = new Set<string>();
    const own = idOf(p.networkSecurityGroup);
    if (own) list.add(own);
    for (const c of (p.ipConfigurations as { properties?: Record<string, unknown> }[] | undefined) ?? []) {
      const subnet = idOf(c.properties?.subnet);
      const nsg = subnet ? subnetNsg.get(subnet) : undefined;
      if (nsg) list.add(nsg);
    }
    if (list.size) nicNsgs.set(r.id.toLowerCase(), [...list]);
  }
  const out = new Map(nicNsgs);
  for (const r of resources) {
    if (r.type.toLowerCase() !== "microsoft.compute/virtualmachines") continue;
    const nics = ((r.properties as { networkProfile?: { networkInterfaces?: Ref[] } } | null)?.networkProfile?.networkInterfaces ?? []).map(idOf).filter((x): x is string => !!x);
    const nsgs = new Set(nics.flatMap((n) => nicNsgs.get(n) ?? []));
    if (nsgs.size) out.set(r.id.toLowerCase(), [...nsgs]);
  }
  return out;
}
