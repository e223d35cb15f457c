/**
 * Derives the shipped KEV snapshot (facts only: CVE id, date added, ransomware use, vendor, product) from the
 * CISA catalog in ../shared/realdata/cisa-kev. Run: `npx tsx src/feeds/generate-kev.ts [catalog.json]`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { realdata } from "../testing/shared";
import { parseKevCatalog } from "./kev";

const input =
	process.argv[2] ??
	realdata("cisa-kev", "known_exploited_vulnerabilities.json");
const snap = parseKevCatalog(JSON.parse(readFileSync(input, "utf8")), input);
const out = join(
	dirname(fileURLToPath(import.meta.url)),
	"data",
	"kev-snapshot.json",
);
const text = `{"format":${JSON.stringify(snap.format)},"source":${JSON.stringify(snap.source)},"catalogVersion":${JSON.stringify(snap.catalogVersion)},"dateReleased":${JSON.stringify(snap.dateReleased)},"count":${snap.count},"rows":[\n${snap.rows.map((r) => JSON.stringify(r)).join(",\n")}\n]}\n`;
writeFileSync(out, text);
console.log(
	`wrote ${out}: ${snap.count} CVEs, catalog ${snap.catalogVersion}, ${text.length} bytes`,
);
