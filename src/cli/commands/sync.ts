import type { Command } from "commander";
import { InputError } from "../../domain/errors";
import { DEFAULT_DB, openStore } from "../../store/open-store";
import { render } from "../output";

/**
 * `clarion sync --source azure [--subscription ID...] [--management-group ID] [--db FILE] [--full]`
 *
 * Reads the tenant through the live APIs into the store, incrementally after the first run, resumable after a
 * crash (the next run continues from the last checkpoint). `demo` and `files:PATH` sources are run by the
 * pipeline (`clarion demo`, `clarion run`); this command handles `azure`.
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
    .option("--db <file>", "store file", DEFAULT_DB)
    .option("--no-progress", "do not show progress")
    .option("-o, --output <format>", "table | json | csv", "table")
    .option("--query <jmespath>", "JMESPath query over the result")
    .action(async (o: { source: string; subscription?: string[]; managementGroup?: string; cloud?: string; full?: boolean; db: string; progress: boolean; output: string; query?: string }) => {
      if (o.source !== "azure")
        throw new InputError(`sync --source ${o.source} is not handled here yet`, { field: "--source" }, { hint: "use `clarion demo` for the demo tenant or `clarion run --input PATH` for files" });
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
        const row = { ...result, durationMs: Math.round(result.durationMs) };
        process.stdout.write(render(row, { output: o.output, query: o.query }, ["mode", "resumed", "generation", "added", "changed", "removed", "unchanged", "durationMs"]));
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        await store.close();
      }
    });
}
