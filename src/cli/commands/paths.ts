import type { Command } from "commander";
import { InputError } from "../../domain/errors";
import { loadKevFromStore } from "../../feeds/kev";
import { buildGraph } from "../../graph/build";
import { computeExposure } from "../../graph/exposure";
import { findAttackPaths } from "../../graph/paths";
import { parseWeights } from "../../graph/risk-model";
import { DEFAULT_DB, openStore } from "../../store/open-store";
import { storedSubAssessments } from "../../store/stored-extras";
import { render } from "../output";

interface Opts {
	output: string;
	query?: string;
	db: string;
}

/** `clarion exposure` and `clarion paths`: the exposure graph over the stored inventory. */
export function register(program: Command): void {
	program
		.command("exposure")
		.description(
			"Resources reachable from the Internet, with the ports, protocol and the rules and hops that let traffic through",
		)
		.option("-o, --output <format>", "table | json | csv", "table")
		.option("--query <jmespath>", "JMESPath query over the result")
		.option("--db <file>", "Clarion database", DEFAULT_DB)
		.action(async (o: Opts) => {
			const store = await openStore(o.db, { mustExist: true });
			try {
				const rows = computeExposure(await store.listResources());
				const data =
					o.output === "table"
						? rows.map((r) => ({
								...r,
								ports: r.ports.join(","),
								via: r.via.map(short).join(" > "),
							}))
						: rows;
				process.stdout.write(
					render(data, o, [
						"resourceName",
						"resourceType",
						"protocol",
						"ports",
						"sources",
						"via",
					]),
				);
			} finally {
				await store.close();
			}
		});

	program
		.command("paths")
		.description(
			"Attack paths from the Internet to critical assets, ranked by risk (top N per target)",
		)
		.option("-o, --output <format>", "table | json | csv", "table")
		.option("--query <jmespath>", "JMESPath query over the result")
		.option("--db <file>", "Clarion database", DEFAULT_DB)
		.option("--top <n>", "paths kept per target", "3")
		.option(
			"--weights <list>",
			"risk weights, e.g. exposure=30,threat=40 (others keep their defaults)",
		)
		.option("--now <iso>", "reference time for alert ages (default: now)")
		.action(
			async (o: Opts & { top: string; weights?: string; now?: string }) => {
				const top = Number(o.top);
				if (!Number.isInteger(top) || top < 1)
					throw new InputError(
						`--top must be a positive integer, got '${o.top}'`,
						{ field: "--top" },
					);
				let weights: ReturnType<typeof parseWeights>;
				try {
					weights = parseWeights(o.weights);
				} catch (e) {
					throw new InputError((e as Error).message, { field: "--weights" });
				}
				if (o.now && Number.isNaN(Date.parse(o.now)))
					throw new InputError(`--now is not a date: '${o.now}'`, {
						field: "--now",
					});
				const store = await openStore(o.db, { mustExist: true });
				try {
					await loadKevFromStore(store);
					const resources = await store.listResources();
					const paths = findAttackPaths(resources, {
						graph: buildGraph(resources),
						alerts: await store.listAlerts(),
						subAssessments: await storedSubAssessments(store),
						now: o.now,
						topPerTarget: top,
						weights,
					});
					const data =
						o.output === "table"
							? paths.map((p) => ({
									id: p.id,
									risk: p.risk,
									target: p.targetName,
									hops: p.hops.map(short).join(" > "),
									entryPorts: p.entry.ports.join(","),
									summary: p.summary,
								}))
							: paths;
					process.stdout.write(
						render(data, o, [
							"id",
							"risk",
							"target",
							"entryPorts",
							"hops",
							"summary",
						]),
					);
				} finally {
					await store.close();
				}
			},
		);
}

const short = (id: string) => id.split("/").pop() ?? id;
