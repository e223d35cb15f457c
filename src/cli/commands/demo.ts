import { resolve } from "node:path";
import type { Command } from "commander";
import { InputError } from "../../domain/errors";
import { rawTenantRows } from "../../pipeline/normalize";
import { runPipeline } from "../../pipeline/run";
import { DEFAULT_SEED, DEMO_TIME_ZONE, defaultNow, generateDemoTenant } from "../../sources/demo/index";
import { openStore } from "../../store/open-store";
import { createProgress } from "../progress";
import { printRunSummary } from "../run-summary";

export function register(program: Command): void {
  program
    .command("demo")
    .description("Generate the built-in demo tenant (Fabrikam) and run the whole pipeline offline")
    .option("--out <dir>", "output folder", "./clarion-out")
    .option("--scale <n>", "size multiplier: 1 = 3 subscriptions / 600+ resources", "1")
    .option("--seed <n>", "seed for the deterministic generator", String(DEFAULT_SEED))
    .option("--db <file>", "store (default: <out>/clarion.db)")
    .option("--quiet", "no progress display")
    .option("--json", "print the run summary as JSON")
    .action(async (o: { out: string; scale: string; seed: string; db?: string; quiet?: boolean; json?: boolean }) => {
      const scale = Number(o.scale);
      const seed = Number(o.seed);
      if (!Number.isInteger(scale) || scale < 1) throw new InputError(`--scale must be a positive integer, got '${o.scale}'`, { field: "--scale" });
      if (!Number.isInteger(seed)) throw new InputError(`--seed must be an integer, got '${o.seed}'`, { field: "--seed" });
      const outDir = resolve(o.out);
      const progress = createProgress({ quiet: o.quiet || o.json });
      progress.onProgress("generate", 0, scale);
      const now = defaultNow();
      const tenant = await generateDemoTenant({ seed, scale, now });
      progress.onProgress("generate", scale, scale);
      const store = await openStore(o.db ?? resolve(outDir, "clarion.db"));
      try {
        await store.setMeta("timeZone", DEMO_TIME_ZONE);
        const result = await runPipeline({ source: `demo tenant (seed ${seed}, scale ${scale})`, rows: rawTenantRows(tenant, "demo"), outDir, store, now, onProgress: progress.onProgress });
        progress.done();
        printRunSummary(result, outDir, { json: o.json });
      } finally {
        await store.close();
      }
    });
}
