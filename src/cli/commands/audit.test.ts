import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SinkSimulator } from "../../../simulator/sinks/server";
import { exportAuditLog } from "../../delivery/audit-export";
import { AUDIT_COLUMNS, AUDIT_STREAM, fromAuditRow } from "../../delivery/audit-row";
import { noticeMessages } from "../../delivery/outbox";
import { StoreDeliveryRepo } from "../../delivery/repo";
import { sentinelSink } from "../../delivery/sinks";
import { verifyChain } from "../../store/audit-chain";
import type { Store } from "../../store/store";
import { findingFor, SUB_PROD, storageAccount, TLS_POLICY } from "../../workflow/test-fixtures";
import { testBackends } from "../../workflow/test-stores";
import { runCli } from "../testing";

/** `clarion audit export --sink NAME` to a Logs Ingestion stream (ClarionAudit_CL), against the sink simulator. */

const DCR = `dcr-${"a1".repeat(16)}`;
const TOKEN_ENV = "CLARION_TEST_AUDIT_INGEST_TOKEN";
let sim: SinkSimulator;
let dir: string;
let config: string;

beforeAll(async () => {
  // The audit DCR of deploy/sentinel/clarion-audit.bicep: its own immutable id, one stream.
  sim = new SinkSimulator({ dcrImmutableId: DCR, streams: [AUDIT_STREAM] });
  await sim.start();
  dir = mkdtempSync(join(tmpdir(), "clarion-audit-cli-"));
  const caFile = join(dir, "sim-ca.pem");
  writeFileSync(caFile, sim.cert.cert);
  process.env[TOKEN_ENV] = sim.token;
  const ingest = { type: "sentinel", endpoint: sim.endpoints.ingestion, dcrImmutableId: DCR, tokenEnv: TOKEN_ENV, caFile };
  config = join(dir, "delivery.json");
  writeFileSync(
    config,
    JSON.stringify({
      sinks: {
        siem: { ...ingest, streamName: AUDIT_STREAM },
        findings: ingest,
        hook: { type: "webhook", url: sim.endpoints.webhook, secretEnv: "CLARION_TEST_UNSET_SECRET", caFile },
      },
      sentinel: "findings",
      retry: { maxAttempts: 3, baseDelayMs: 60_000, maxDelayMs: 60_000 },
    }),
  );
});
afterAll(async () => {
  delete process.env[TOKEN_ENV];
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

const run = runCli;

/** A Logs Ingestion sink for the audit stream on the simulator, built directly (not from a delivery config). */
const auditSink = (over: Partial<Parameters<typeof sentinelSink>[0]> = {}) =>
  sentinelSink({ name: "siem", endpoint: sim.endpoints.ingestion, dcrImmutableId: DCR, streamName: AUDIT_STREAM, token: sim.token, ca: sim.cert.cert, ...over });

const ingestCalls = () => sim.requests.filter((r) => r.path.startsWith("/ingest/"));
const ingestedSeqs = () => sim.state.ingested.flatMap((b) => b.rows.map((r) => Number(r.Seq)));
const event = (i: number, details: Record<string, unknown> = { n: i }) => ({
  time: new Date(Date.UTC(2026, 1, 1, 9, i)).toISOString(),
  actor: i % 2 ? "alice@contoso.example" : "clarion-worker",
  action: i % 2 ? "approval.approved" : "run.submitted",
  subject: `A-${i}`,
  digest: `${i}`.padStart(64, "0"),
  details,
});

const backends = testBackends("audit_cli");

describe.each(backends)("clarion audit export --sink (Logs Ingestion) on $name", (backend) => {
  let store: Store;
  let db: string;
  const exportTo = (sink = "siem") => run("audit", "export", "--db", db, "--sink", sink, "--delivery-config", config);

  beforeEach(async () => {
    sim.reset();
    store = await backend.open();
    db = backend.locator(store);
  });
  afterAll(() => backend.cleanup());

  it("sends one ClarionAudit_CL row per event, with the declared columns, that verify as the stored chain", async () => {
    await store.appendAudit([1, 2, 3, 4, 5].map((i) => event(i, { n: i, nested: { b: [1, 2], a: "x" } })));
    const stored = await store.listAudit();
    const r = await exportTo();
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toBe(`audit log to sink siem (${AUDIT_STREAM}): 5 event(s) read = 5 sent + 0 already sent + 0 failed\n`);
    expect(sim.state.ingested).toHaveLength(1);
    const [batch] = sim.state.ingested;
    expect(batch).toMatchObject({ dcr: DCR, stream: AUDIT_STREAM });
    for (const row of batch.rows) expect(Object.keys(row)).toEqual(AUDIT_COLUMNS.map((c) => c.name));
    expect(batch.rows.map((row) => [row.Seq, row.Time, row.TimeGenerated, row.ChainId])).toEqual(
      stored.map((e) => [e.seq, e.time, e.time, stored[0].hash]),
    );
    // A SIEM user re-verifies from the table: the rows are the stored events, hashes and all.
    const back = batch.rows.map(fromAuditRow);
    expect(back).toEqual(stored);
    expect(verifyChain(back)).toEqual({ ok: true, checked: 5 });
    const [call] = ingestCalls();
    expect(call.query["api-version"]).toBe("2023-01-01");
    expect(call.headers.authorization).toBe(`Bearer ${sim.token}`);
  });

  it("rows read back from the table verify with `audit verify --file`; a row edited or missing there does not", async () => {
    await store.appendAudit([1, 2, 3, 4].map((i) => event(i, { n: i, nested: { b: [1, 2], a: "x" } })));
    expect((await exportTo()).code).toBe(0);
    sim.dropAfterCommit(1); // the first call lands but its answer is lost: the retry sends the same rows again
    await store.appendAudit([event(5)]);
    expect((await exportTo()).out).toMatch(/5 event\(s\) read = 0 sent \+ 4 already sent \+ 1 failed/);
    await store.exec("UPDATE outbox SET next_attempt_at = ? WHERE sink = ?", ["2000-01-01T00:00:00.000Z", "siem"]);
    expect((await exportTo()).out).toMatch(/5 event\(s\) read = 1 sent \+ 4 already sent \+ 0 failed/);
    expect(ingestedSeqs()).toEqual([1, 2, 3, 4, 5, 5]);
    // What a query export gives: any order, long as text, dynamic as JSON text, extra columns.
    const table = sim.state.ingested
      .flatMap((b) => b.rows)
      .reverse()
      .map((r) => ({ TableName: "PrimaryResult", ...r, Seq: String(r.Seq), Details: JSON.stringify(r.Details) }));
    const file = join(dir, `rows-${backend.name}.json`);
    writeFileSync(file, JSON.stringify(table));
    const ok = await run("audit", "verify", "--file", file);
    expect([ok.code, ok.out]).toEqual([0, expect.stringMatching(/ok.* 5 event\(s\) in .*chain intact/)]);
    writeFileSync(file, table.map((r) => JSON.stringify(r.Seq === "3" ? { ...r, Actor: "mallory" } : r)).join("\n"));
    const edited = await run("audit", "verify", "--file", file);
    expect([edited.code, edited.out]).toEqual([5, expect.stringMatching(/seq 3\): content does not match its hash/)]);
    writeFileSync(file, JSON.stringify(table.filter((r) => r.Seq !== "2")));
    const gap = await run("audit", "verify", "--file", file);
    expect([gap.code, gap.out]).toEqual([5, expect.stringMatching(/sequence 3 where 2 was expected/)]);
  });

  it("a second export sends nothing; an appended event is the only one sent next time", async () => {
    await store.appendAudit([1, 2, 3, 4, 5].map((i) => event(i)));
    expect((await exportTo()).code).toBe(0);
    const again = await exportTo();
    expect(again.out).toBe(`audit log to sink siem (${AUDIT_STREAM}): 5 event(s) read = 0 sent + 5 already sent + 0 failed\n`);
    expect(again.code).toBe(0);
    expect(ingestCalls()).toHaveLength(1);

    const [sixth] = await store.appendAudit([event(6)]);
    const next = await exportTo();
    expect(next.out).toBe(`audit log to sink siem (${AUDIT_STREAM}): 6 event(s) read = 1 sent + 5 already sent + 0 failed\n`);
    expect(ingestCalls()).toHaveLength(2);
    const last = sim.state.ingested[1].rows;
    expect(last.map((row) => row.Seq)).toEqual([6]);
    expect(last[0].PrevHash).toBe(sim.state.ingested[0].rows[4].Hash);
    expect(last[0].Hash).toBe(sixth.hash);
    expect(ingestedSeqs()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("retries a 5xx later (pending counts as failed), never claims other sinks' messages, then sends the rest", async () => {
    await store.appendAudit([1, 2, 3].map((i) => event(i)));
    // A queued notice for another sink: the audit export builds only its own sink and must leave this one alone.
    const repo = new StoreDeliveryRepo(store);
    const f = findingFor(storageAccount(SUB_PROD, "staudit1", "TLS1_0", "prod"), TLS_POLICY);
    await repo.enqueue(noticeMessages([f], ["hook"]), new Date().toISOString());
    sim.setDown(true);
    const down = await exportTo();
    expect(down.code).toBe(1);
    expect(down.out).toBe(
      `audit log to sink siem (${AUDIT_STREAM}): 3 event(s) read = 0 sent + 0 already sent + 3 failed (3 pending retry, 0 dead-lettered)\n`,
    );
    expect(down.err).toMatch(/503/);
    expect(ingestCalls().map((c) => c.status)).toEqual([503]);
    const hook = (await repo.list({ sink: "hook" }))[0];
    expect([hook.state, hook.attempts]).toEqual(["pending", 0]);

    // Not due yet: a run now leaves it alone (the backoff holds), and counts it as failed again.
    sim.setDown(false);
    expect((await exportTo()).out).toMatch(/3 event\(s\) read = 0 sent \+ 0 already sent \+ 3 failed \(3 pending retry/);
    expect(ingestCalls()).toHaveLength(1);

    await store.exec("UPDATE outbox SET next_attempt_at = ? WHERE sink = ?", ["2000-01-01T00:00:00.000Z", "siem"]);
    const up = await exportTo();
    expect(up.out).toBe(`audit log to sink siem (${AUDIT_STREAM}): 3 event(s) read = 3 sent + 0 already sent + 0 failed\n`);
    expect(up.code).toBe(0);
    expect(ingestedSeqs()).toEqual([1, 2, 3]);
    const [msg] = await repo.list({ sink: "siem" });
    expect((await repo.attempts(msg.id)).map((a) => [a.attempt, a.ok, a.statusCode])).toEqual([
      [1, false, 503],
      [2, true, 204],
    ]);
    expect((await repo.list({ sink: "hook" }))[0].state).toBe("pending");
  });

  it("a 429 is retried no sooner than its Retry-After", async () => {
    await store.appendAudit([1, 2].map((i) => event(i)));
    // The simulator throttles ARM only: a stand-in ingestion endpoint that answers 429 once, then 204.
    const answers = [429, 204];
    const seen: number[] = [];
    const server = createServer({ key: sim.cert.key, cert: sim.cert.cert }, (req, res) => {
      req.resume();
      req.on("end", () => {
        const status = answers.shift() ?? 204;
        seen.push(status);
        res.writeHead(status, status === 429 ? { "retry-after": "30", "content-type": "application/json" } : {});
        res.end(status === 429 ? JSON.stringify({ error: { code: "TooManyRequests", message: "slow down" } }) : undefined);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const sink = sentinelSink({
      name: "siem",
      endpoint: url,
      dcrImmutableId: DCR,
      streamName: AUDIT_STREAM,
      token: "t",
      ca: sim.cert.cert,
    });
    const repo = new StoreDeliveryRepo(store);
    const t0 = Date.parse("2026-02-01T10:00:00.000Z");
    const at = (ms: number) => () => new Date(t0 + ms);
    const retry = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000 };
    try {
      const first = await exportAuditLog(repo, () => store.listAudit(), sink, AUDIT_STREAM, { retry, now: at(0) });
      expect(first).toMatchObject({ read: 2, sent: 0, failed: 2, pending: 2, dead: 0 });
      expect(first.errors[0].error).toMatch(/429/);
      const [msg] = await repo.list({ sink: "siem" });
      expect(Date.parse(msg.nextAttemptAt) - t0).toBeGreaterThanOrEqual(30_000);
      expect((await exportAuditLog(repo, () => store.listAudit(), sink, AUDIT_STREAM, { retry, now: at(10_000) })).pending).toBe(2);
      const later = await exportAuditLog(repo, () => store.listAudit(), sink, AUDIT_STREAM, { retry, now: at(31_000) });
      expect(later).toMatchObject({ read: 2, sent: 2, alreadySent: 0, failed: 0 });
      expect(seen).toEqual([429, 204]);
    } finally {
      sink.close?.();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("keeps every call under 1 MB; a 413 still halves a call", async () => {
    const pad = (i: number) => ({ n: i, pad: "x".repeat(300_000) });
    await store.appendAudit([1, 2, 3, 4].map((i) => event(i, pad(i))));
    const r = await exportTo();
    expect(r.out).toMatch(/4 event\(s\) read = 4 sent \+ 0 already sent \+ 0 failed/);
    expect(ingestCalls().map((c) => c.status)).toEqual([204, 204]);
    // (messages of one run share their due time, so they may go in any order: the table is ordered by Seq)
    expect(sim.state.ingested.map((b) => b.rows.length).sort()).toEqual([1, 3]);
    expect(ingestedSeqs().sort()).toEqual([1, 2, 3, 4]);

    // A sink that lets a message grow past the service limit: the service answers 413 and the sink halves the call.
    sim.reset();
    await store.appendAudit([5, 6, 7, 8].map((i) => event(i, pad(i))));
    const loose = auditSink({ maxBytes: 5_000_000 });
    try {
      const rep = await exportAuditLog(new StoreDeliveryRepo(store), () => store.listAudit(), loose, AUDIT_STREAM, { maxBytes: 5_000_000 });
      expect(rep).toMatchObject({ read: 8, sent: 4, alreadySent: 4, failed: 0, messages: 1 });
    } finally {
      loose.close?.();
    }
    expect(ingestCalls().map((c) => c.status)).toEqual([413, 204, 204]);
    expect(ingestedSeqs()).toEqual([5, 6, 7, 8]);
  });

  it("two exports at once queue each event once", async () => {
    await store.appendAudit(Array.from({ length: 40 }, (_, i) => event(i + 1)));
    // PostgreSQL: two connections, as two processes would have; SQLite: one process has one writer connection.
    const other = backend.name === "postgres" ? await backend.reopen(store) : store;
    const sinks = [auditSink(), auditSink()];
    try {
      // Both read the stream's end (nothing yet) and the log before either queues: their plans overlap, so one
      // of them finds the other's rows, rolls back and reads again, and by then one more event was appended.
      let reads = 0;
      let bothRead: () => void = () => {};
      const barrier = new Promise<void>((resolve) => {
        bothRead = resolve;
      });
      const load = (s: Store) => async () => {
        const n = ++reads;
        if (n === 2) bothRead();
        if (n <= 2) await barrier;
        if (n === 3) await store.appendAudit([event(41)]);
        return s.listAudit();
      };
      const reports = await Promise.all([
        exportAuditLog(new StoreDeliveryRepo(store), load(store), sinks[0], AUDIT_STREAM, { maxBytes: 2_000 }),
        exportAuditLog(new StoreDeliveryRepo(other), load(other), sinks[1], AUDIT_STREAM, { maxBytes: 2_000 }),
      ]);
      expect(reads).toBe(3);
      expect(reports.map((r) => r.queued).sort((a, b) => a - b)).toEqual([1, 40]);
      expect(reports.reduce((k, r) => k + r.sent, 0)).toBe(41);
      for (const r of reports) expect(r.read).toBe(r.sent + r.alreadySent + r.failed);
      expect(ingestedSeqs().sort((a, b) => a - b)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
    } finally {
      for (const s of sinks) s.close?.();
    }
  });

  it("refuses (exit 5) when the log does not verify, or no longer continues what the table holds", async () => {
    await store.appendAudit([1, 2, 3].map((i) => event(i)));
    expect((await exportTo()).code).toBe(0);
    // An edit in place: the chain breaks.
    await store.exec("UPDATE audit SET actor = ? WHERE seq = ?", ["mallory", 2]);
    const edited = await exportTo();
    expect(edited.code).toBe(5);
    expect(edited.err).toMatch(/does not verify \(event #2, seq 2: content does not match its hash/);
    // A consistent rewrite (a new chain that verifies on its own) is caught against what the table already has.
    await store.exec("DELETE FROM audit");
    await store.appendAudit([1, 2, 3, 4].map((i) => event(i, { rewritten: true })));
    const rewritten = await exportTo();
    expect(rewritten.code).toBe(5);
    expect(rewritten.err).toMatch(/already holds the log up to seq 3 with hash [0-9a-f]{16}…, but this store has hash [0-9a-f]{16}… there/);
    expect(ingestedSeqs()).toEqual([1, 2, 3]);
  });

  it("says which sinks take the audit log", async () => {
    await store.appendAudit([event(1)]);
    const findings = await exportTo("findings");
    expect(findings.code).toBe(2);
    expect(findings.err).toMatch(
      /sends to Custom-AI_CSPMRecommendations_CL \(the findings table\).*"streamName": "Custom-ClarionAudit_CL"/,
    );
    const hook = await exportTo("hook");
    expect(hook.code).toBe(2);
    expect(hook.err).toMatch(/is a webhook sink; the audit log goes to a blob or a sentinel/);
    expect((await exportTo("nope")).err).toMatch(/no sink named 'nope'/);
    expect(ingestCalls()).toHaveLength(0);
  });
});

describe("delivery config", () => {
  it("refuses findings rows pointed at the audit stream", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(
      bad,
      JSON.stringify({
        sinks: { siem: { type: "sentinel", endpoint: "https://x.example", dcrImmutableId: DCR, streamName: AUDIT_STREAM } },
        sentinel: "siem",
      }),
    );
    const r = await run("audit", "export", "--db", join(dir, "none.db"), "--sink", "siem", "--delivery-config", bad);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/field sentinel: sink 'siem' streams to Custom-ClarionAudit_CL \(the audit table\)/);
  });
});
