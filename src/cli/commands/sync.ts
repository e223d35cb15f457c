import type { Command } from "commander";
import { InputError } from "../../domain/errors";
import { DEFAULT_DB, openStore } from "../../store/open-store";
import { dirname, resolve } from "node:path";
import { type RawRow, rawTenantRows } from "../../pipeline/normalize";
import { runPipeline } from "../../pipeline/run";
import { generateDemoTenant } from "../../sources/demo/index";
import { readInputs } from "../../sources/files/read-inputs";
import type { Store } from "../../store/store";
import { render } from "../output";
import { createProgress } from "../progress";

/** Runs the pipeline on what a sync brought in; returns the run's counts. */
async function analyze(store: Store, rows: Iterable<RawRow>, unreadable: { origin: RawRow["origin"]; reason: string }[], outDir: string, source: string, o: { progress: boolean }): Promise<Record<string, unknown>> {
  const progress = createProgress({ quiet: !o.progress });
  const result = await runPipeline({ source, rows, unreadable, outDir, store, onProgress: progress.onProgress });
  progress.done();
  const s = result.summary;
  return { source, findings: s.counts.findings, resources: s.counts.resources, read: s.ingest.read, accepted: s.ingest.accepted, rejected: s.ingest.rejected, outDir };
}

/**
 * `clarion sync --source azure [--subscription ID...] [--management-group ID] [--db FILE] [--full]`
 *
 * Reads the tenant through the live APIs into the store, incrementally after the first run, resumable after a
 * crash (the next run continues from the last checkpoint), then runs the pipeline on what the store now holds.
 * `--source demo` and `--source files:PATH` feed the same pipeline from the demo generator or exported files.
 */
export function register(program: Command): void {
  program
    .command("sync")
    .description("Synchronize raw tenant data from a source into the store (incremental, resumable)")
    .requiredOption("--source <source>", "azure | demo | files:PATH")
    .option("--subscription <id...>", "subscription id(s) to read (default: all the identity can read)")
    .option("--management-group <id>", "read the subscriptions under this management group")
    .option("--cloud <name>", "public | usgov | china (default CLARION_AZURE_CLOUD or public)")
    .option("--full", "read everything instead of only changes")
    .option("--concurrency <n>", "Azure reads in flight at once: a number, or auto (4 while answers take 10 ms or more, else 1)", "auto")
    .option("--db <file>", "store file", DEFAULT_DB)
    .option("--out <dir>", "where the pipeline writes its outputs (default: the store's folder)")
    .option("--seed <n>", "demo source: generator seed", "42")
    .option("--no-analyze", "only fetch: do not run the pipeline afterwards")
    .option("--no-progress", "do not show progress")
    .option("-o, --output <format>", "table | json | csv", "table")
    .option("--query <jmespath>", "JMESPath query over the result")
    .action(async (o: { source: string; subscription?: string[]; managementGroup?: string; cloud?: string; full?: boolean; concurrency: string; db: string; out?: string; seed: string; analyze: boolean; progress: boolean; output: string; query?: string }) => {
      const outDir = resolve(o.out ?? dirname(o.db));
      if (o.source === "demo" || o.source.startsWith("files:")) {
        const store = await openStore(o.db);
        try {
          if (o.source === "demo") {
            const tenant = await generateDemoTenant({ seed: Number(o.seed) });
            process.stdout.write(render(await analyze(store, rawTenantRows(tenant, "demo"), [], outDir, `demo tenant (seed ${o.seed})`, o), o));
          } else {
            const path = o.source.slice("files:".length);
            if (!path) throw new InputError("files: needs a path, e.g. --source files:./exports", { field: "--source" });
            const files = readInputs([path]);
            process.stdout.write(render(await analyze(store, files.rows, files.unreadable, outDir, `files (${path})`, o), o));
          }
        } finally {
          await store.close();
        }
        return;
      }
      if (o.source !== "azure")
        throw new InputError(`unknown source '${o.source}'`, { field: "--source" }, { hint: "use azure, demo or files:PATH" });
      if (o.subscription?.length && o.managementGroup)
        throw new InputError("use either --subscription or --management-group, not both", { field: "--management-group" });
      const { syncTenant } = await import("../../sources/azure/sync");
      const store = await openStore(o.db);
      const tty = process.stderr.isTTY;
      let lastLine = "";
      const controller = new AbortController();
      const onSignal = () => controller.abort(new Error("interrupted"));
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      try {
        const result = await syncTenant({
          store,
          cloud: o.cloud,
          scope: o.subscription?.length ? { subscriptions: o.subscription } : o.managementGroup ? { managementGroup: o.managementGroup } : undefined,
          full: o.full,
          concurrency: concurrencyArg(o.concurrency),
          abortSignal: controller.signal,
          onProgress: o.progress
            ? (p) => {
                const line = `${p.resumed ? "resuming " : ""}${p.mode} sync [${p.stepIndex + 1}/${p.steps}] ${p.step}: ${p.rows} rows read, ${p.changed} changed`;
                if (tty) process.stderr.write(`\r\x1b[2K${line}`);
                else if (line.split(":")[0] !== lastLine.split(":")[0]) process.stderr.write(`${line}\n`);
                lastLine = line;
              }
            : undefined,
        });
        if (tty && o.progress) process.stderr.write("\n");
        const row: Record<string, unknown> = {
          ...result,
          durationMs: Math.round(result.durationMs),
          fastestAnswerMs: result.fastestAnswerMs === undefined ? undefined : Math.round(result.fastestAnswerMs * 10) / 10,
        };
        if (o.analyze) {
          const { loadTenant } = await import("../../sources/azure/sync");
          const analysis = await analyze(store, rawTenantRows(await loadTenant(store), "azure"), [], outDir, "Azure (synced)", o);
          row.findings = analysis.findings;
          row.analysis = analysis;
        }
        process.stdout.write(render(row, { output: o.output, query: o.query }, ["mode", "resumed", "generation", "added", "changed", "removed", "unchanged", "durationMs", "findings"]));
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        await store.close();
      }
    });
}

function concurrencyArg(text: string): number | "auto" {
  if (text === "auto") return "auto";
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 32) throw new InputError(`--concurrency must be auto or an integer from 1 to 32, got '${text}'`, { field: "--concurrency" });
  return n;
}
