import type { Command } from "commander";
import { InputError } from "../../domain/errors";
import { loadAllPacks } from "../../packs/loader";
import { Normalizer, rawTenantRows } from "../../pipeline/normalize";
import { DEFAULT_SEED, defaultNow, generateDemoTenant } from "../../sources/demo/index";
import { readInputs } from "../../sources/files/read-inputs";
import { openStore } from "../../store/open-store";
import { redactPgUrl } from "../../store/postgres-sql";
import type { Store } from "../../store/store";
import { enqueueBatches, startBoss } from "../../worker/queue";
import { runProgress, submitRun } from "../../worker/runs";
import { syntheticTenant } from "../../worker/synthetic";
import { runWorker } from "../../worker/worker";
import { render } from "../output";

const DB_HELP = "PostgreSQL store URL (postgres://user@host:5432/db[?schema=NAME]); default $CLARION_DB";

function pgUrl(db: string | undefined): string {
  const url = db ?? process.env.CLARION_DB;
  if (!url || !/^postgres(ql)?:\/\//i.test(url))
    throw new InputError("workers share a PostgreSQL store: pass --db postgres://… (or set CLARION_DB)", { field: "--db" }, { hint: "for one process on SQLite, use `clarion run` or `clarion demo`" });
  return url;
}

const int = (v: string | undefined, name: string, min = 1): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InputError(`${name} must be an integer >= ${min}`, { field: name });
  return n;
};

export function register(program: Command): void {
  const worker = program
    .command("worker")
    .description("Run a worker: enrich batches of findings from the shared PostgreSQL queue (start as many as you like)")
    .option("--db <url>", DB_HELP)
    .option("--concurrency <n>", "batches in flight in this process", "1")
    .option("--exit-when-idle", "stop when no batch of any run is left (scripts, CI)")
    .option("--expire <seconds>", "a batch taken by a worker that died is handed out again after this long", "60")
    .option("--llm-tpm <n>", "LLM tokens per minute shared by every worker (when a model provider is configured)")
    .action(async (o: { db?: string; concurrency: string; exitWhenIdle?: boolean; expire: string; llmTpm?: string }) => {
      const url = pgUrl(o.db);
      const store = await openStore(url);
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      try {
        const report = await runWorker({
          store,
          url,
          concurrency: int(o.concurrency, "--concurrency"),
          exitWhenIdle: !!o.exitWhenIdle,
          expireInSeconds: int(o.expire, "--expire"),
          llmTokensPerMinute: int(o.llmTpm, "--llm-tpm"),
          signal: ac.signal,
          log: (l) => process.stderr.write(`${l}\n`),
        });
        process.stdout.write(`${JSON.stringify(report)}\n`);
      } finally {
        await store.close();
      }
    });

  worker
    .command("submit")
    .description("Queue a run for the workers: normalize the input once, store the shared estate, enqueue one job per (subscription, finding group) batch")
    .option("--db <url>", DB_HELP)
    .option("--input <paths...>", "exported files or folders (as `clarion run --input`)")
    .option("--demo", "the built-in demo tenant")
    .option("--scale <n>", "demo scale", "1")
    .option("--seed <n>", "demo seed", String(DEFAULT_SEED))
    .option("--synthetic <findings>", "a synthetic estate with this many findings (scale tests)")
    .option("--batch-size <n>", "largest batch", "500")
    .option("--expire <seconds>", "job expiry (see `clarion worker --expire`)", "60")
    .action(async (o: { db?: string; input?: string[]; demo?: boolean; scale: string; seed: string; synthetic?: string; batchSize: string; expire: string }, cmd: Command) => {
      // The parent `worker` command also takes --db/--expire: commander may hand them to it.
      const url = pgUrl(o.db ?? cmd.parent?.opts().db);
      o.expire = cmd.parent?.getOptionValueSource("expire") === "cli" ? cmd.parent.opts().expire : o.expire;
      const chosen = [o.input?.length, o.demo, o.synthetic].filter(Boolean).length;
      if (chosen !== 1) throw new InputError("pass exactly one of --input, --demo or --synthetic", { field: "--input" });
      const now = defaultNow();
      let source: string;
      const normalizer = new Normalizer();
      let tenant = normalizer.tenant;
      if (o.synthetic) {
        tenant = syntheticTenant((await loadAllPacks()).packs, { findings: int(o.synthetic, "--synthetic") ?? 1 });
        source = `synthetic (${o.synthetic} findings)`;
      } else if (o.demo) {
        const seed = int(o.seed, "--seed", 0) ?? DEFAULT_SEED;
        const scale = int(o.scale, "--scale") ?? 1;
        normalizer.addAll(rawTenantRows(await generateDemoTenant({ seed, scale, now }), "demo"));
        source = `demo tenant (seed ${seed}, scale ${scale})`;
      } else {
        const files = readInputs(o.input ?? []);
        for (const u of files.unreadable) normalizer.rejectUnreadable(u.origin, u.reason);
        normalizer.addAll(files.rows);
        source = `files (${(o.input ?? []).join(", ")})`;
      }
      const store: Store = await openStore(url);
      try {
        const run = await submitRun(store, tenant, { source, now, batchSize: int(o.batchSize, "--batch-size") });
        const boss = await startBoss(url);
        try {
          await enqueueBatches(boss, run.batches, { expireInSeconds: int(o.expire, "--expire") });
        } finally {
          await boss.stop({ graceful: false, wait: true }).catch(() => {});
        }
        process.stdout.write(`Queued ${run.runId}: ${run.findings} findings in ${run.batches.length} batches on ${redactPgUrl(url)}\nStart workers with: clarion worker --db '${redactPgUrl(url)}' --concurrency 2\n`);
      } finally {
        await store.close();
      }
    });

  worker
    .command("status")
    .description("Progress of submitted runs: batches done, findings written, deliveries and redeliveries")
    .option("--db <url>", DB_HELP)
    .option("--run <id>", "one run")
    .option("-o, --output <format>", "table | json | csv", "table")
    .option("--query <jmespath>", "JMESPath query over the JSON output")
    .action(async (o: { db?: string; run?: string; output: string; query?: string }, cmd: Command) => {
      const store = await openStore(pgUrl(o.db ?? cmd.parent?.opts().db));
      try {
        process.stdout.write(render(await runProgress(store, o.run), { output: o.output, query: o.query }));
      } finally {
        await store.close();
      }
    });
}
