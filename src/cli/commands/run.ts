import { resolve } from "node:path";
import type { Command } from "commander";
import pc from "../colors";
import { InputError } from "../../domain/errors";
import { runPipeline } from "../../pipeline/run";
import { describeFormats, readInputs } from "../../sources/files/read-inputs";
import { openStore } from "../../store/open-store";
import { createProgress } from "../progress";
import { printRunSummary } from "../run-summary";

export function register(program: Command): void {
  program
    .command("run")
    .description("Run the pipeline over exported files (ARG results, az JSON, Log Analytics results, CSV exports)")
    .requiredOption("--input <paths...>", "files or folders to read")
    .option("--out <dir>", "output folder", "./clarion-out")
    .option("--db <file>", "store (default: <out>/clarion.db)")
    .option("--now <iso>", "reference time for ages of alerts and changes (default: now)")
    .option("--quiet", "no progress display")
    .option("--json", "print the run summary as JSON")
    .action(async (o: { input: string[]; out: string; db?: string; quiet?: boolean; json?: boolean; now?: string }) => {
      if (!o.input?.length) throw new InputError("--input needs at least one file", { field: "--input" });
      const now = o.now ? new Date(o.now) : new Date();
      if (Number.isNaN(now.getTime())) throw new InputError(`--now must be an ISO date, got '${o.now}'`, { field: "--now" });
      const outDir = resolve(o.out);
      const progress = createProgress({ quiet: o.quiet || o.json });
      progress.onProgress("read", 0, o.input.length);
      const files = readInputs(o.input);
      const store = await openStore(o.db ?? resolve(outDir, "clarion.db"));
      try {
        const result = await runPipeline({ source: `files (${describeFormats(files.formats)})`, rows: files.rows, unreadable: files.unreadable, outDir, store, now, onProgress: progress.onProgress });
        progress.done();
        for (const e of result.ingest.errors.slice(0, 20)) process.stderr.write(`${pc.yellow("rejected")} ${e.where}: ${e.reason}\n`);
        if (result.ingest.errors.length > 20) process.stderr.write(`${pc.yellow("…")} ${result.ingest.rejected - 20} more rejections, see summary.json\n`);
        printRunSummary(result, outDir, { json: o.json });
      } finally {
        await store.close();
      }
    });
}
