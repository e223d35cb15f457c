import { describe, expect, it } from "vitest";
import { toCsr } from "./build";
import { computeExposure } from "./exposure";
import { findAttackPaths, rescorePaths } from "./paths";
import { DEFAULT_WEIGHTS } from "./risk-model";
import { kBestPaths, labelPath } from "./search";
import {
	ids,
	NOW,
	plantedAlerts,
	plantedTenant,
	plantedVulns,
} from "./testing-tenant";

const tenant = plantedTenant();
const exposure = computeExposure(tenant);
const byId = (id: string) =>
	exposure.filter((e) => e.resourceId.toLowerCase() === id.toLowerCase());

describe("computeExposure on the planted tenant", () => {
	it("finds RDP on vm-web-1 through both NSG levels, with the rules and hops", () => {
		const [e] = byId(ids.vmWeb);
		expect(e).toMatchObject({
			ports: ["3389"],
			protocol: "Tcp",
			sources: "Internet",
		});
		expect(e.via).toEqual([
			ids.pipWeb,
			ids.nicWeb,
			`${ids.nsgWebSubnet}/securityRules/allow-rdp`,
			`${ids.nsgWebNic}/securityRules/allow-rdp-any`,
		]);
	});
	it("keeps a range a range", () =>
		expect(byId(ids.vmRange)[0].ports).toEqual(["9000-9010"]));
	it("follows a public load balancer rule to the backend port the NSG admits (not the office-only SSH)", () => {
		const [e] = byId(ids.vmPool);
		expect(e.ports).toEqual(["8080"]);
		expect(e.via.slice(0, 3)).toEqual([
			ids.pipLb,
			ids.lb,
			`${ids.lb}/loadBalancingRules/http`,
		]);
	});
	it("does not report a Standard public IP without any NSG (closed by default)", () =>
		expect(byId(ids.vmIsolated)).toEqual([]));
	it("does not report SSH behind a higher-priority deny", () =>
		expect(byId(ids.vmDenied)).toEqual([]));
	it("does not report a VM without a public IP or load balancer", () =>
		expect(byId(ids.vmApp)).toEqual([]));
	it("reports PaaS endpoints open to public networks and not the closed ones", () => {
		expect(byId(ids.stLogs)[0]?.ports).toEqual(["443"]);
		expect(byId(ids.sqlProd)[0]?.ports).toEqual(["1433"]);
		expect(byId(ids.sqlDev)).toEqual([]); // 0.0.0.0-0.0.0.0 is "Azure services", not the Internet
		expect(byId(ids.kv)).toEqual([]);
		expect(byId(ids.stCardholder)).toEqual([]);
	});
	it("a Basic public IP with no NSG is open on every port, Tcp and Udp", () => {
		const t = plantedTenant().map((r) =>
			r.id === ids.nicRange
				? {
						...r,
						properties: { ...r.properties, networkSecurityGroup: undefined },
					}
				: r,
		);
		const [e] = computeExposure(t).filter((x) => x.resourceId === ids.vmRange);
		expect(e).toMatchObject({ ports: ["0-65535"], protocol: "*" });
		expect(e.via).toContain("no NSG on the subnet or the NIC");
	});
});

describe("findAttackPaths on the planted tenant", () => {
	const paths = findAttackPaths(tenant, {
		alerts: plantedAlerts(),
		subAssessments: plantedVulns(),
		now: NOW,
		topPerTarget: 3,
	});
	const hopsOf = (target: string) =>
		paths.filter((p) => p.target === target).map((p) => p.hops);

	it("finds the planted identity path to the Key Vault and ranks it first, explained", () => {
		expect(paths[0].hops).toEqual([ids.vmWeb, ids.kv]);
		expect(paths[0].entry).toEqual({
			resourceId: ids.vmWeb,
			ports: ["3389"],
			protocol: "Tcp",
		});
		expect(paths[0].summary).toMatch(
			/^RDP \(3389\).*open to the Internet on vm-web-1 and a brute-force alert .* on vm-web-1 3 h ago: path to kv-payments$/,
		);
		expect(paths[0].reasons).toContain(
			"vm-web-1's managed identity holds Key Vault Secrets User over kv-payments",
		);
	});
	it("finds the lateral path through the VNet and the user-assigned identity to the cardholder storage", () => {
		expect(hopsOf(ids.stCardholder)).toContainEqual([
			ids.vmWeb,
			ids.vnet,
			ids.vmApp,
			ids.uaiApp,
			ids.stCardholder,
		]);
	});
	it("finds the one-hop path of a production database open to the Internet", () =>
		expect(hopsOf(ids.sqlProd)).toContainEqual([ids.sqlProd]));
	it("keeps at most topPerTarget paths per target and never one through a Reader-only role", () => {
		const counts = new Map<string, number>();
		for (const p of paths)
			counts.set(p.target, (counts.get(p.target) ?? 0) + 1);
		expect(Math.max(...counts.values())).toBeLessThanOrEqual(3);
		expect(hopsOf(ids.sqlDev)).toEqual([]); // reachable only via a Reader assignment
		expect(
			paths.some(
				(p) => p.hops.includes(ids.vmDenied) || p.hops.includes(ids.vmIsolated),
			),
		).toBe(false);
	});
	it("breakdown sums to the risk", () => {
		for (const p of paths)
			expect(p.factors.reduce((s, f) => s + f.contribution, 0)).toBeCloseTo(
				p.risk,
				5,
			);
	});
	it("an alert raises the risk of its path; without it the same path scores lower", () => {
		const quiet = findAttackPaths(tenant, { now: NOW });
		const a = paths.find((p) => p.hops.join() === [ids.vmWeb, ids.kv].join());
		const b = quiet.find((p) => p.hops.join() === [ids.vmWeb, ids.kv].join());
		expect(a && b && a.risk > b.risk).toBe(true);
		expect(b?.summary).not.toMatch(/alert/);
	});
	it("a KEV CVE on the entry raises exploitability with the catalog date", () => {
		const p = paths.find((x) => x.hops[0] === ids.vmPool);
		expect(p?.factors.find((f) => f.name === "exploitability")?.value).toBe(1);
		expect(p?.reasons.join(" ")).toMatch(
			/CVE-2019-0708 .* CISA KEV \(added 2021-11-03/,
		);
	});
	it("changing weights re-ranks without rebuilding", () => {
		const onlyExploit = rescorePaths(paths, {
			...DEFAULT_WEIGHTS,
			exposure: 0,
			criticality: 0,
			threat: 0,
			proximity: 0,
			exploitability: 100,
		});
		expect(onlyExploit[0].hops[0]).toBe(ids.vmPool);
		expect(onlyExploit[0].risk).toBe(100);
	});
	it("ignores resolved and month-old alerts", () => {
		const p = paths.find(
			(x) => x.hops.includes(ids.vmApp) && !x.hops.includes(ids.vmWeb),
		);
		expect(p?.reasons.join(" ") ?? "").not.toMatch(/Suspicious process/);
	});
});

describe("k-best search on hand-built graphs", () => {
	// 0 -> 1 -> 3, 0 -> 2 -> 3, 0 -> 1 -> 2 -> 3, and a cycle 3 -> 1
	const src = Int32Array.from([0, 0, 1, 2, 1, 3]);
	const dst = Int32Array.from([1, 2, 3, 3, 2, 1]);
	const csr = toCsr(4, src, dst, new Uint8Array(6));
	const run = (k: number, factor?: number[]) =>
		kBestPaths({
			...csr,
			kindCost: Float64Array.from([1]),
			nodeFactor: factor ? Float64Array.from(factor) : undefined,
			source: 0,
			isTarget: Uint8Array.from([0, 0, 0, 1]),
			k,
		});
	it("returns the k cheapest simple paths, cheapest first", () => {
		const r = run(3);
		const paths = [0, 1, 2]
			.map((j) => r.targetLabels[3 * 3 + j])
			.filter((l) => l >= 0)
			.map((l) => labelPath(r, l));
		expect(paths.slice(0, 2).map((p) => p.length)).toEqual([3, 3]);
		expect(paths[2]).toEqual([0, 1, 2, 3]);
	});
	it("node factors steer the cheapest path", () => {
		const r = run(1, [1, 5, 1, 1]);
		expect(labelPath(r, r.targetLabels[3])).toEqual([0, 2, 3]);
	});
	it("no path: no labels", () => {
		const c2 = toCsr(
			3,
			Int32Array.from([1]),
			Int32Array.from([2]),
			new Uint8Array(1),
		);
		const r = kBestPaths({
			...c2,
			kindCost: Float64Array.from([1]),
			source: 0,
			isTarget: Uint8Array.from([0, 0, 1]),
			k: 3,
		});
		expect([...r.targetLabels.slice(6, 9)]).toEqual([-1, -1, -1]);
	});
});
