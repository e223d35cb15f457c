import { join, resolve } from "node:path";
import type { Command } from "commander";
import { InputError } from "../../domain/errors";
import { rawTenantRows } from "../../pipeline/normalize";
import { runPipeline } from "../../pipeline/run";
import { DEFAULT_SEED, DEMO_TIME_ZONE, type DemoTenant, defaultNow, generateDemoTenant } from "../../sources/demo/index";
import { openStore } from "../../store/open-store";
import { writeDemoExport } from "../../sources/demo/export";
import type { RawTenant } from "../../sources/raw";

/** Above this scale the demo is streamed to disk instead of analyzed in one process (≈ 1 GiB at 10). */
const MAX_IN_MEMORY_SCALE = 20;
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
    .option("--now <iso>", "reference time of the generated tenant (default: now, to the hour)")
    .option("--export <dir>", "stream the raw tenant to NDJSON files (bounded memory; any scale) instead of running the pipeline")
    .option("--via-api", "serve the demo tenant from the local Azure simulator and read it back through the real Azure clients")
    .option("--quiet", "no progress display")
    .option("--json", "print the run summary as JSON")
    .action(async (o: { out: string; scale: string; seed: string; db?: string; quiet?: boolean; json?: boolean; viaApi?: boolean; export?: string; now?: string }) => {
      const scale = Number(o.scale);
      const seed = Number(o.seed);
      if (!Number.isInteger(scale) || scale < 1) throw new InputError(`--scale must be a positive integer, got '${o.scale}'`, { field: "--scale" });
      if (!Number.isInteger(seed)) throw new InputError(`--seed must be an integer, got '${o.seed}'`, { field: "--seed" });
      const now = o.now ? new Date(o.now) : defaultNow();
      if (Number.isNaN(now.getTime())) throw new InputError(`--now must be an ISO date, got '${o.now}'`, { field: "--now" });
      const outDir = resolve(o.out);
      const progress = createProgress({ quiet: o.quiet || o.json });
      if (o.export || scale > MAX_IN_MEMORY_SCALE) {
        const dir = resolve(o.export ?? join(outDir, "tenant"));
        const counts = await writeDemoExport(dir, { seed, scale, now }, (d, n) => progress.onProgress("generate", d, n));
        progress.done();
        process.stdout.write(`Wrote the demo tenant (seed ${seed}, scale ${scale}) to ${dir}:\n${Object.entries(counts).map(([f, n]) => `  ${f}: ${n} rows`).join("\n")}\n`);
        if (!o.export) process.stdout.write(`Scale ${scale} is above ${MAX_IN_MEMORY_SCALE}, the largest estate one process analyzes in memory; run the pipeline on PostgreSQL workers for it.\n`);
        return;
      }
      progress.onProgress("generate", 0, scale);
      const generated = await generateDemoTenant({ seed, scale, now });
      progress.onProgress("generate", scale, scale);
      const tenant: RawTenant = o.viaApi ? await throughTheApi(generated, progress.onProgress) : generated;
      const store = await openStore(o.db ?? resolve(outDir, "clarion.db"));
      try {
        await store.setMeta("timeZone", DEMO_TIME_ZONE);
        const result = await runPipeline({ source: `demo tenant (seed ${seed}, scale ${scale}${o.viaApi ? ", via the Azure APIs" : ""})`, rows: rawTenantRows(tenant, "demo"), outDir, store, now, onProgress: progress.onProgress });
        progress.done();
        printRunSummary(result, outDir, { json: o.json });
      } finally {
        await store.close();
      }
    });
}

/**
 * Serves the tenant from the local HTTPS simulator (Resource Graph, Defender, Activity Log…) and reads it back
 * with the same clients a real `clarion sync --source azure` uses: the proof that live data and demo data take
 * one path.
 */
async function throughTheApi(generated: DemoTenant, onProgress: (stage: string, done: number, total: number) => void): Promise<RawTenant> {
  const { startSimulator } = await import("../../../simulator/server");
  const { fetchTenant } = await import("../../sources/azure/index");
  const { truth: _truth, packErrors: _errors, ...raw } = generated;
  const sim = await startSimulator({ tenant: raw });
  try {
    onProgress("fetch", 0, 1);
    const fetched = await fetchTenant({ armEndpoint: sim.url, token: sim.token, ca: sim.cert.cert, activityFrom: "2000-01-01T00:00:00Z" });
    onProgress("fetch", 1, 1);
    return fetched;
  } finally {
    await sim.stop();
  }
}
