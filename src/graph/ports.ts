/** Port ranges as inclusive [lo, hi] pairs; "*" is 0-65535. A range stays a range when printed. */

export interface PortRange {
	lo: number;
	hi: number;
}

export const ALL_PORTS: PortRange = { lo: 0, hi: 65535 };

/** Parses "*", "22", "9000-9010" (spaces tolerated); undefined when malformed. */
export function parsePortRange(s: string): PortRange | undefined {
	const t = String(s).trim();
	if (t === "*" || t.toLowerCase() === "any") return { ...ALL_PORTS };
	const m = /^(\d{1,5})\s*(?:-\s*(\d{1,5}))?$/.exec(t);
	if (!m) return undefined;
	const lo = Number(m[1]);
	const hi = m[2] === undefined ? lo : Number(m[2]);
	if (lo > 65535 || hi > 65535 || hi < lo) return undefined;
	return { lo, hi };
}

/** Parses an NSG rule's `destinationPortRange` / `destinationPortRanges` (either may be set; both empty means any). */
export function parsePortSpec(single: unknown, list: unknown): PortRange[] {
	const items: string[] = [];
	if (Array.isArray(list))
		for (const x of list)
			if (typeof x === "string" || typeof x === "number") items.push(String(x));
	if (typeof single === "string" || typeof single === "number")
		items.push(String(single));
	const out: PortRange[] = [];
	for (const it of items)
		for (const part of it.split(",")) {
			const r = parsePortRange(part);
			if (r) out.push(r);
		}
	return items.length === 0 ? [{ ...ALL_PORTS }] : out;
}

export function portIn(ranges: PortRange[], port: number): boolean {
	for (const r of ranges) if (port >= r.lo && port <= r.hi) return true;
	return false;
}

export function formatPortRange(r: PortRange): string {
	return r.lo === r.hi ? String(r.lo) : `${r.lo}-${r.hi}`;
}

/** Intersects two sorted disjoint range lists. */
export function intersectRanges(a: PortRange[], b: PortRange[]): PortRange[] {
	const out: PortRange[] = [];
	for (const x of a)
		for (const y of b) {
			const lo = Math.max(x.lo, y.lo);
			const hi = Math.min(x.hi, y.hi);
			if (lo <= hi) out.push({ lo, hi });
		}
	return mergeRanges(out);
}

export function mergeRanges(rs: PortRange[]): PortRange[] {
	const s = [...rs].sort((a, b) => a.lo - b.lo);
	const out: PortRange[] = [];
	for (const r of s) {
		const last = out[out.length - 1];
		if (last && r.lo <= last.hi + 1) last.hi = Math.max(last.hi, r.hi);
		else out.push({ ...r });
	}
	return out;
}

/** Well-known service names for the explanation ("RDP (3389/tcp)"). */
const SERVICE: Record<number, string> = {
	20: "FTP data",
	21: "FTP",
	22: "SSH",
	23: "Telnet",
	25: "SMTP",
	53: "DNS",
	80: "HTTP",
	110: "POP3",
	135: "RPC",
	139: "NetBIOS",
	143: "IMAP",
	161: "SNMP",
	443: "HTTPS",
	445: "SMB",
	1433: "SQL Server",
	1521: "Oracle",
	2375: "Docker API",
	2376: "Docker API",
	3306: "MySQL",
	3389: "RDP",
	5432: "PostgreSQL",
	5900: "VNC",
	5985: "WinRM",
	5986: "WinRM",
	6379: "Redis",
	9200: "Elasticsearch",
	10250: "Kubelet",
	11211: "Memcached",
	27017: "MongoDB",
};

/** Remote administration ports: an attacker's first choice. */
export const MANAGEMENT_PORTS = [22, 23, 3389, 5900, 5985, 5986];
/** Data service ports. */
export const DATA_PORTS = [
	1433, 1521, 3306, 5432, 6379, 9200, 11211, 27017, 445, 2375, 2376, 10250,
];

export function serviceName(port: number): string | undefined {
	return SERVICE[port];
}

/** "RDP (3389)", "9000-9010", "all ports". */
export function describeRange(r: PortRange): string {
	if (r.lo === 0 && r.hi === 65535) return "all ports";
	if (r.lo === r.hi) {
		const n = serviceName(r.lo);
		return n ? `${n} (${r.lo})` : String(r.lo);
	}
	const named = [...MANAGEMENT_PORTS, ...DATA_PORTS]
		.filter((p) => p >= r.lo && p <= r.hi)
		.map((p) => serviceName(p));
	return named.length
		? `${r.lo}-${r.hi} (incl. ${[...new Set(named)].slice(0, 3).join(", ")})`
		: `${r.lo}-${r.hi}`;
}
