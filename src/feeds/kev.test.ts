import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { needShared, realdata } from "../testing/shared";
import {
	KevCatalog,
	kevLookup,
	parseKevCatalog,
	shippedKev,
	useKevCatalog,
} from "./kev";

describe("KEV snapshot", () => {
	it("is dated and answers known CVEs case-insensitively", () => {
		expect(shippedKev().version).toMatch(/^\d{4}\.\d{2}\.\d{2}$/);
		expect(kevLookup("cve-2019-0708")).toMatchObject({
			cveID: "CVE-2019-0708",
			vendor: "Microsoft",
		});
		expect(kevLookup("CVE-1999-99999")).toBeUndefined();
	});
	it("a refreshed catalog replaces the shipped one", () => {
		useKevCatalog(
			new KevCatalog(
				parseKevCatalog({
					catalogVersion: "2099.01.01",
					vulnerabilities: [
						{
							cveID: "CVE-2099-0001",
							dateAdded: "2099-01-01",
							knownRansomwareCampaignUse: "Known",
							vendorProject: "X",
							product: "Y",
						},
					],
				}),
			),
		);
		expect(kevLookup("CVE-2099-0001")?.knownRansomwareCampaignUse).toBe(true);
		expect(kevLookup("CVE-2019-0708")).toBeUndefined();
		useKevCatalog(undefined);
		expect(kevLookup("CVE-2019-0708")).toBeDefined();
	});
	it("rejects a file that is not a catalog, naming the field", () => {
		expect(() => parseKevCatalog({ foo: 1 }, "x.json")).toThrow(
			/x.json.*vulnerabilities/,
		);
		expect(() =>
			parseKevCatalog({ vulnerabilities: [{ cveID: "nope" }] }, "x.json"),
		).toThrow(/index 0.*cveID/);
	});
	describe.skipIf(!needShared("KEV snapshot matches the CISA catalog"))(
		"against ../shared",
		() => {
			it("holds every CVE of the catalog with its date and ransomware flag", () => {
				const cat = JSON.parse(
					readFileSync(
						realdata("cisa-kev", "known_exploited_vulnerabilities.json"),
						"utf8",
					),
				);
				expect(shippedKev().size).toBe(cat.vulnerabilities.length);
				for (const v of cat.vulnerabilities.slice(0, 200)) {
					const e = shippedKev().lookup(v.cveID);
					expect(e?.dateAdded).toBe(v.dateAdded);
					expect(e?.knownRansomwareCampaignUse).toBe(
						v.knownRansomwareCampaignUse === "Known",
					);
				}
			});
		},
	);
});
