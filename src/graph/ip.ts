/** IPv4 addresses as unsigned 32-bit numbers, CIDR prefixes as inclusive intervals. */

export interface Interval {
	lo: number;
	hi: number;
}

/** Parses a dotted IPv4 address; undefined when it is not one. */
export function parseIpv4(s: string): number | undefined {
	const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s.trim());
	if (!m) return undefined;
	let n = 0;
	for (let i = 1; i <= 4; i++) {
		const o = Number(m[i]);
		if (o > 255) return undefined;
		n = n * 256 + o;
	}
	return n;
}

/** Parses `a.b.c.d/len` or a bare address (a /32) into an interval; undefined for IPv6 or garbage. */
export function parseCidr(s: string): Interval | undefined {
	const [addr, lenText] = s.trim().split("/");
	const base = parseIpv4(addr);
	if (base === undefined) return undefined;
	const len = lenText === undefined ? 32 : Number(lenText);
	if (!Number.isInteger(len) || len < 0 || len > 32) return undefined;
	const size = 2 ** (32 - len);
	const lo = Math.floor(base / size) * size;
	return { lo, hi: lo + size - 1 };
}

export function contains(iv: Interval, ip: number): boolean {
	return ip >= iv.lo && ip <= iv.hi;
}

/** Non-public IPv4 space (RFC 1918, loopback, link-local, CGNAT, this-network, multicast and reserved). */
const NON_PUBLIC: Interval[] = [
	"0.0.0.0/8",
	"10.0.0.0/8",
	"100.64.0.0/10",
	"127.0.0.0/8",
	"169.254.0.0/16",
	"172.16.0.0/12",
	"192.168.0.0/16",
	"224.0.0.0/3",
]
	.map((c) => parseCidr(c) as Interval)
	.sort((a, b) => a.lo - b.lo);

/** The public IPv4 space as sorted disjoint intervals (the complement of NON_PUBLIC). */
export const PUBLIC_SPACE: Interval[] = (() => {
	const out: Interval[] = [];
	let next = 0;
	for (const iv of NON_PUBLIC) {
		if (iv.lo > next) out.push({ lo: next, hi: iv.lo - 1 });
		next = Math.max(next, iv.hi + 1);
	}
	if (next <= 0xffffffff) out.push({ lo: next, hi: 0xffffffff });
	return out;
})();

export function isPublicIp(ip: number): boolean {
	return PUBLIC_SPACE.some((iv) => contains(iv, ip));
}

/** Sorted union of intervals. */
export function union(ivs: Interval[]): Interval[] {
	const s = [...ivs].sort((a, b) => a.lo - b.lo);
	const out: Interval[] = [];
	for (const iv of s) {
		const last = out[out.length - 1];
		if (last && iv.lo <= last.hi + 1) last.hi = Math.max(last.hi, iv.hi);
		else out.push({ ...iv });
	}
	return out;
}

/** True when the union of `ivs` covers every interval of `target`. */
export function covers(ivs: Interval[], target: Interval[]): boolean {
	const u = union(ivs);
	return target.every((t) => {
		let at = t.lo;
		for (const iv of u) {
			if (iv.hi < at) continue;
			if (iv.lo > at) return false;
			at = iv.hi + 1;
			if (at > t.hi) return true;
		}
		return at > t.hi;
	});
}

/** The Azure load balancer health-probe source (what the AzureLoadBalancer tag stands for). */
export const AZURE_LB_IP = parseIpv4("168.63.129.16") as number;

/** Intersection of two interval lists. */
export function intersect(a: Interval[], b: Interval[]): Interval[] {
	const out: Interval[] = [];
	for (const x of a)
		for (const y of b) {
			const lo = Math.max(x.lo, y.lo);
			const hi = Math.min(x.hi, y.hi);
			if (lo <= hi) out.push({ lo, hi });
		}
	return union(out);
}

/** `a` minus `b`. */
export function subtract(a: Interval[], b: Interval[]): Interval[] {
	let cur = union(a);
	for (const y of union(b)) {
		const next: Interval[] = [];
		for (const x of cur) {
			if (y.hi < x.lo || y.lo > x.hi) next.push(x);
			else {
				if (x.lo < y.lo) next.push({ lo: x.lo, hi: y.lo - 1 });
				if (x.hi > y.hi) next.push({ lo: y.hi + 1, hi: x.hi });
			}
		}
		cur = next;
	}
	return cur;
}

export function size(ivs: Interval[]): number {
	let n = 0;
	for (const iv of ivs) n += iv.hi - iv.lo + 1;
	return n;
}

export function formatIp(n: number): string {
	return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** Prints an interval as CIDRs when it aligns, else as `a-b`. */
export function formatInterval(iv: Interval): string {
	const len = iv.hi - iv.lo + 1;
	const bits = Math.log2(len);
	if (Number.isInteger(bits) && iv.lo % len === 0)
		return `${formatIp(iv.lo)}/${32 - bits}`;
	return `${formatIp(iv.lo)}-${formatIp(iv.hi)}`;
}
