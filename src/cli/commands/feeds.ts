import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { InputError } from "../../domain/errors";
import {
	KEV_META_KEY,
	type KevCatalog,
	loadKevFromStore,
	parseKevCatalog,
	shippedKev,
} from "../../feeds/kev";
import { DEFAULT_DB, openStore } from "../../store/open-store";
import { render } from "../output";

/** `clarion feeds update --file KEV.json` and `clarion feeds show`: the CISA KEV catalog Clarion scores CVEs against. */
export function register(program: Command): void {
	const feeds = program
		.command("feeds")
		.description("Threat-intelligence feeds (CISA KEV): show and refresh");
	feeds
		.command("update")
		.description(
			"Store a newer CISA KEV catalog (the JSON CISA publishes) in the database; later runs use it instead of the shipped snapshot",
		)
		.requiredOption("--file <path>", "known_exploited_vulnerabilities.json")
		.option("--db <file>", "Clarion database (created if absent)", DEFAULT_DB)
		.action(async (o: { file: string; db: string }) => {
			let json: unknown;
			try {
				json = JSON.parse(readFileSync(o.file, "utf8"));
			} catch (e) {
				throw new InputError(
					`cannot read KEV catalog: ${(e as Error).message}`,
					{ file: o.file },
				);
			}
			const snap = parseKevCatalog(json, o.file);
			const store = await openStore(o.db);
			try {
				await store.setMeta(KEV_META_KEY, JSON.stringify(snap));
				await store.appendAudit([
					{
						time: new Date().toISOString(),
						actor: "cli",
						action: "feeds.update",
						subject: "cisa-kev",
						digest: "",
						details: {
							catalogVersion: snap.catalogVersion,
							count: snap.count,
							file: o.file,
						},
					},
				]);
			} finally {
				await store.close();
			}
			const shipped = shippedKev();
			process.stdout.write(
				`CISA KEV ${snap.catalogVersion}: ${snap.count} CVEs stored in ${o.db} (shipped snapshot: ${shipped.version}, ${shipped.size} CVEs)\n`,
			);
		});
	feeds
		.command("show")
		.description("Which KEV catalog is in use")
		.option("-o, --output <format>", "table | json | csv", "table")
		.option("--query <jmespath>", "JMESPath query over the result")
		.option("--db <file>", "Clarion database", DEFAULT_DB)
		.action(async (o: { output: string; query?: string; db: string }) => {
			let active: KevCatalog = shippedKev();
			let source = "shipped snapshot";
			try {
				const store = await openStore(o.db, { mustExist: true });
				try {
					const c = await loadKevFromStore(store);
					if (c !== shippedKev())
						[active, source] = [c, `${o.db} (feeds update)`];
				} finally {
					await store.close();
				}
			} catch {
				/* no database: the shipped snapshot is in use */
			}
			process.stdout.write(
				render(
					[
						{
							feed: "cisa-kev",
							catalogVersion: active.version,
							cves: active.size,
							source,
						},
					],
					o,
				),
			);
		});
}
