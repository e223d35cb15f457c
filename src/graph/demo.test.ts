import { describe, expect, it } from "vitest";
import type { ArmResource } from "../domain/resource";
import { generateDemoTenant } from "../sources/demo/index";
import { computeExposure } from "./exposure";
import { findAttackPaths } from "./paths";

const now = new Date("2026-03-11T15:00:00Z");

describe("demo tenant", async () => {
	const t = await generateDemoTenant({ seed: 42, scale: 1, now });
	const rows: ArmResource[] = [...t.resources, ...t.authorizationResources];
	const { jumpVm, paymentsVault, paymentsSql } = t.truth.planted;
	const lc = (s: string) => s.toLowerCase();

	it("finds the planted open production SQL server as a one-hop path", () => {
		const paths = findAttackPaths(rows, { now });
		expect(
			paths.some(
				(p) => lc(p.target) === lc(paymentsSql) && p.hops.length === 1,
			),
		).toBe(true);
	});

	it("finds the planted jump host -> payments vault path whenever RDP actually reaches the jump host", () => {
		// The jump host's subnet NSG decides whether RDP gets through (both NSGs must allow): check what Azure would do,
		// then make the subnet level permissive and expect the planted identity path.
		const exposedAsIs = computeExposure(rows).some(
			(e) => lc(e.resourceId) === lc(jumpVm),
		);
		const withoutSubnetNsg = rows.map((r) =>
			r.type === "microsoft.network/virtualnetworks"
				? {
						...r,
						properties: {
							...r.properties,
							subnets: (
								(r.properties?.subnets ?? []) as Record<string, unknown>[]
							).map((s) => ({
								...s,
								properties: {
									...(s.properties as object),
									networkSecurityGroup: undefined,
								},
							})),
						},
					}
				: r,
		);
		for (const [data, expectPath] of [
			[rows, exposedAsIs],
			[withoutSubnetNsg, true],
		] as const) {
			const paths = findAttackPaths(data, { now });
			const hit = paths.find(
				(p) =>
					lc(p.target) === lc(paymentsVault) && lc(p.hops[0]) === lc(jumpVm),
			);
			expect(!!hit).toBe(expectPath);
			if (hit)
				expect(hit.summary).toMatch(
					/RDP \(3389\).*vm-jump-prd-01.*path to kv-payments-prd/,
				);
		}
	});

	it("never targets network plumbing, and every path starts at an exposed resource", () => {
		const paths = findAttackPaths(rows, { now });
		const exposed = new Set(computeExposure(rows).map((e) => lc(e.resourceId)));
		for (const p of paths) {
			expect(p.target).not.toMatch(/Microsoft\.Network\//i);
			expect(exposed.has(lc(p.hops[0]))).toBe(true);
		}
	});
});
