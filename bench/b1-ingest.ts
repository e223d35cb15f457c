/**
 * B1 ingest: 100k resources + 1M assessments as NDJSON (generated here, cached in $TMPDIR/clarion-b1).
 * In the same run, each contender in its own child process (so peak RSS is its own):
 *   floor     readline + JSON.parse per line, both files (the parse floor)
 *   clarion1  Clarion's ingest (row normalizers + assessment → resource join), 1 worker
 *   clarion2  the same over 2 worker threads (byte ranges)
 *   duckdb    DuckDB read_json + the same join and grouping
 * Targets: clarion >= 0.6 of the parse floor's rate, <= 2x DuckDB's time, peak RSS <= 2 GiB.
 *   clarion1-scanner  (with --compare) the same with the hand-written assessment scanner before JSON.parse
 * Run: npx tsx bench/b1-ingest.ts [--resources 100000] [--assessments 1000000] [--runs 3] [--compare]
 * With --runs N the contenders run N rounds (interleaved) and the summary gives medians and the spread.
 */
import { execFileSync } from "node:child_process";
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, statSync, writeFileSync, writeSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { type IngestTotals, ingestNdjsonFast } from "../src/pipeline/fast-ingest";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const R = arg("--resources", 100_000);
const A = arg("--assessments", 1_000_000);
const DIR = join(tmpdir(), "clarion-b1", `${R}-${A}`);
const RES = join(DIR, "resources.ndjson");
const ASM = join(DIR, "assessments.ndjson");

const TYPES = [
  "Microsoft.Storage/storageAccounts",
  "Microsoft.KeyVault/vaults",
  "Microsoft.Compute/virtualMachines",
  "Microsoft.Sql/servers",
  "Microsoft.Web/sites",
  "Microsoft.Network/networkSecurityGroups",
];
const KEYS = Array.from(
  { length: 300 },
  (_, i) => `${(0x1c5de8e1 + i * 7919).toString(16).padStart(8, "0")}-f68d-6a17-e0d2-${String(i).padStart(12, "0")}`,
);

function resourceId(i: number): string {
  return `/subscriptions/00000000-0000-4000-8000-${String(i % 40).padStart(12, "0")}/resourceGroups/rg-${i % 500}/providers/${TYPES[i % TYPES.length]}/res${i}`;
}

function generate(): void {
  if (existsSync(join(DIR, "done"))) return;
  mkdirSync(DIR, { recursive: true });
  const t = Date.now();
  let fd = openSync(RES, "w");
  let chunk: string[] = [];
  const flush = () => {
    writeSync(fd, chunk.join(""));
    chunk = [];
  };
  for (let i = 0; i < R; i++) {
    const id = resourceId(i);
    const [, , sub, , rg] = id.split("/");
    chunk.push(
      `${JSON.stringify({ id, name: `res${i}`, type: TYPES[i % TYPES.length], location: "westeurope", resourceGroup: rg, subscriptionId: sub, tags: { env: i % 3 ? "dev" : "prod", owner: `team${i % 20}@fabrikam.example` }, properties: { provisioningState: "Succeeded", publicNetworkAccess: i % 2 ? "Enabled" : "Disabled" } })}\n`,
    );
    if (chunk.length >= 10_000) flush();
  }
  flush();
  closeSync(fd);
  fd = openSync(ASM, "w");
  for (let j = 0; j < A; j++) {
    // 2% of assessments point at resources missing from the inventory (deleted since), as real exports do.
    const ri = j % 50 === 49 ? R + j : (j * 7) % R;
    const rid = resourceId(ri);
    const key = KEYS[j % KEYS.length];
    const code = j % 5 === 0 ? "Unhealthy" : j % 11 === 0 ? "NotApplicable" : "Healthy";
    chunk.push(
      `${JSON.stringify({
        type: "Microsoft.Security/assessments",
        id: `${rid}/providers/Microsoft.Security/assessments/${key}`,
        name: key,
        properties: {
          resourceDetails: { Source: "Azure", Id: rid },
          displayName: `Recommendation ${j % KEYS.length}`,
          status: { code, firstEvaluationDate: "2025-01-10T08:14:02Z", statusChangeDate: "2025-01-10T08:14:02Z" },
          metadata: {
            severity: ["High", "Medium", "Low"][j % 3],
            categories: ["Data"],
            policyDefinitionId: `/providers/Microsoft.Authorization/policyDefinitions/${key}`,
          },
        },
      })}\n`,
    );
    if (chunk.length >= 10_000) flush();
  }
  flush();
  closeSync(fd);
  writeFileSync(join(DIR, "done"), "");
  console.error(
    `generated ${R} resources + ${A} assessments in ${((Date.now() - t) / 1000).toFixed(1)} s (${(statSync(RES).size / 2 ** 20).toFixed(0)} + ${(statSync(ASM).size / 2 ** 20).toFixed(0)} MiB) in ${DIR}`,
  );
}

type Totals = Pick<IngestTotals, "resources" | "assessments" | "joined"> & {
  byTypeStatus?: Record<string, number>;
  unmatched?: number;
  rejected?: number;
  fastPath?: number;
};

async function floor(): Promise<Totals> {
  let lines = 0;
  let sink = 0;
  for (const f of [RES, ASM]) {
    const rl = createInterface({ input: createReadStream(f), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of rl) {
      if (!line) continue;
      const o = JSON.parse(line);
      sink += o.id.length;
      lines++;
    }
  }
  if (sink < 0) console.log(sink);
  return { resources: R, assessments: lines - R, joined: 0 };
}

async function duck(): Promise<Totals> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:", { threads: "2" });
  const c = await db.connect();
  const r = await c.runAndReadAll(`
    WITH r AS (SELECT lower(id) AS id, lower(type) AS type FROM read_json('${RES}', format = 'newline_delimited')),
         a AS (SELECT lower(properties.resourceDetails.Id) AS rid, properties.status.code AS status FROM read_json('${ASM}', format = 'newline_delimited'))
    SELECT r.type AS type, a.status AS status, count(*)::BIGINT AS n FROM a JOIN r ON a.rid = r.id GROUP BY ALL`);
  const byTypeStatus: Record<string, number> = {};
  let joined = 0;
  for (const [type, status, n] of r.getRows() as [string, string, bigint][]) {
    byTypeStatus[`${type}|${status}`] = Number(n);
    joined += Number(n);
  }
  const counts = await c.runAndReadAll(
    `SELECT (SELECT count(*) FROM read_json('${RES}', format = 'newline_delimited'))::BIGINT, (SELECT count(*) FROM read_json('${ASM}', format = 'newline_delimited'))::BIGINT`,
  );
  const [[nr, na]] = counts.getRows() as [bigint, bigint][];
  return { resources: Number(nr), assessments: Number(na), joined, byTypeStatus };
}

/** Child mode: run one contender, print {seconds, cpuSeconds, totals, maxRssMiB}. */
async function child(mode: string): Promise<void> {
  const t = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const totals: Totals =
    mode === "floor"
      ? await floor()
      : mode === "duckdb"
        ? await duck()
        : slim(await ingestNdjsonFast(RES, ASM, { threads: mode === "clarion2" ? 2 : 1, scanner: mode === "clarion1-scanner" }));
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  // maxRSS and CPU time cover the whole process (worker threads, GC threads and DuckDB's native threads).
  process.stdout.write(
    JSON.stringify({ mode, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, totals, maxRssMiB: process.resourceUsage().maxRSS / 1024 }),
  );
}

interface Result {
  mode: string;
  seconds: number;
  cpuSeconds: number;
  totals: Totals;
  maxRssMiB: number;
}

async function main(): Promise<void> {
  const mode = process.argv[process.argv.indexOf("--child") + 1];
  if (process.argv.includes("--child")) return child(mode);
  generate();
  const self = fileURLToPath(import.meta.url);
  const runs = arg("--runs", 1);
  const modes = ["floor", "clarion1", "clarion2", "duckdb", ...(process.argv.includes("--compare") ? ["clarion1-scanner"] : [])];
  const run = (m: string): Result => {
    const out = execFileSync(
      process.execPath,
      [...process.execArgv, self, "--child", m, "--resources", String(R), "--assessments", String(A)],
      { encoding: "utf8", maxBuffer: 1 << 24 },
    );
    const r = JSON.parse(out) as Result;
    console.error(
      `${m.padEnd(16)} ${r.seconds.toFixed(2)} s (cpu ${r.cpuSeconds.toFixed(2)} s)  ${((R + A) / r.seconds / 1000).toFixed(0)}k rows/s  peak RSS ${r.maxRssMiB.toFixed(0)} MiB  load ${loadavg()[0].toFixed(1)}`,
    );
    return r;
  };
  // Rounds run every contender once, back to back, so each round's ratios compare like with like.
  const rounds: Record<string, Result>[] = [];
  for (let k = 0; k < runs; k++) {
    if (runs > 1) console.error(`round ${k + 1}/${runs}`);
    rounds.push(Object.fromEntries(modes.map((m) => [m, run(m)])));
  }
  const first = rounds[0];
  const same = rounds.every((rd) => {
    const d = JSON.stringify(sorted(rd.duckdb.totals.byTypeStatus));
    return modes.filter((m) => m.startsWith("clarion")).every((m) => JSON.stringify(sorted(rd[m].totals.byTypeStatus)) === d);
  });
  const per = (f: (rd: Record<string, Result>) => number) => {
    const xs = rounds.map(f).sort((a, b) => a - b);
    return { median: round(median(xs)), min: round(xs[0]), max: round(xs[xs.length - 1]) };
  };
  const best = (rd: Record<string, Result>) => Math.min(rd.clarion1.seconds, rd.clarion2.seconds);
  const ratios = {
    clarion1OfParseFloor: per((rd) => rd.floor.seconds / rd.clarion1.seconds),
    clarion2OfParseFloor: per((rd) => rd.floor.seconds / rd.clarion2.seconds),
    bestOfParseFloor: per((rd) => rd.floor.seconds / best(rd)),
    clarion1VsDuckDb: per((rd) => rd.clarion1.seconds / rd.duckdb.seconds),
    clarion2VsDuckDb: per((rd) => rd.clarion2.seconds / rd.duckdb.seconds),
    bestVsDuckDb: per((rd) => best(rd) / rd.duckdb.seconds),
    speedup2Workers: per((rd) => rd.clarion1.seconds / rd.clarion2.seconds),
    ...(modes.includes("clarion1-scanner") ? { scannerSpeedup: per((rd) => rd.clarion1.seconds / rd["clarion1-scanner"].seconds) } : {}),
  };
  const peak = Math.max(...rounds.flatMap((rd) => modes.filter((m) => m.startsWith("clarion")).map((m) => rd[m].maxRssMiB)));
  const summary = {
    workload: { resources: R, assessments: A, bytes: statSync(RES).size + statSync(ASM).size },
    rounds: runs,
    seconds: Object.fromEntries(modes.map((m) => [m, per((rd) => rd[m].seconds)])),
    // CPU seconds of all the process's threads: what the work costs, whatever else the machine runs
    cpuSeconds: Object.fromEntries(modes.map((m) => [m, per((rd) => rd[m].cpuSeconds)])),
    peakRssMiB: Object.fromEntries(modes.map((m) => [m, Math.round(Math.max(...rounds.map((rd) => rd[m].maxRssMiB)))])),
    joined: first.clarion1.totals.joined,
    unmatched: first.clarion1.totals.unmatched,
    rejected: first.clarion1.totals.rejected,
    fastPath: first.clarion1.totals.fastPath,
    sameJoinAsDuckDb: same,
    ratios,
    targets: {
      atLeast06OfParseFloor: ratios.bestOfParseFloor.median >= 0.6,
      atMost2xDuckDb: ratios.bestVsDuckDb.median <= 2,
      peakRssUnder2GiB: peak <= 2048,
      joinMatchesDuckDb: same,
    },
  };
  console.log(JSON.stringify(summary, null, 2));
  if (!Object.values(summary.targets).every(Boolean)) process.exitCode = 1;
}

function median(xs: number[]): number {
  const m = xs.length >> 1;
  return xs.length % 2 ? xs[m] : (xs[m - 1] + xs[m]) / 2;
}

/** What a child reports: the counts, not the rejection list. */
function slim(t: IngestTotals): Totals {
  return {
    resources: t.resources,
    assessments: t.assessments,
    joined: t.joined,
    unmatched: t.unmatched,
    rejected: t.rejected,
    fastPath: t.fastPath,
    byTypeStatus: t.byTypeStatus,
  };
}

const round = (x: number) => Math.round(x * 100) / 100;
const sorted = (o: Record<string, number> = {}) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
