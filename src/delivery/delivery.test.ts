import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SinkSimulator } from "../../simulator/sinks/server";
import type { Finding } from "../domain/finding";
import type { Store } from "../store/store";
import { findingFor, SUB_PROD, storageAccount, TLS_POLICY } from "../workflow/test-fixtures";
import { testBackends } from "../workflow/test-stores";
import { drainOutbox, noticeMessages, sentinelMessages, syncTicketStatus, ticketFor, ticketMessages } from "./outbox";
import { StoreDeliveryRepo } from "./repo";
import { SENTINEL_TABLE } from "./sentinel-row";
import { batchRows, jiraSink, type Sink, sentinelSink, serviceNowSink, signWebhook, slackSink, teamsSink, webhookSink } from "./sinks";

let sim: SinkSimulator;
let clock = Date.parse("2026-02-01T09:00:00Z");
const now = () => new Date(clock);
const later = (ms: number) => {
  clock += ms;
};

beforeAll(async () => {
  sim = new SinkSimulator();
  await sim.start();
});
afterAll(() => sim.stop());

const backends = testBackends("delivery");
const opts = { now, retry: { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 60_000 }, random: () => 0.5 };

describe.each(backends)("delivery on $name", (backend) => {
  let repo: StoreDeliveryRepo;
  let store: Store;
  let sinks: Sink[];
  const finding = (name: string, over: Partial<Finding> = {}) =>
    findingFor(storageAccount(SUB_PROD, name, "TLS1_0", "prod"), TLS_POLICY, over);

  beforeEach(async () => {
    sim.reset();
    store = await backend.open();
    repo = new StoreDeliveryRepo(store);
    const ca = sim.cert.cert;
    const e = sim.endpoints;
    sinks = [
      serviceNowSink({ instanceUrl: e.serviceNow, user: "clarion.integration", password: "sim-password", table: "change_request", ca }),
      serviceNowSink({ instanceUrl: e.serviceNow, user: "clarion.integration", password: "sim-password", table: "incident", ca }),
      jiraSink({ siteUrl: e.jira, email: "clarion@example.com", apiToken: "sim-api-token", project: "SEC", ca }),
      teamsSink({ url: e.teams, ca }),
      slackSink({ url: e.slack, ca }),
      webhookSink({ url: e.webhook, secret: "sim-webhook-secret", ca }),
      sentinelSink({ endpoint: e.ingestion, dcrImmutableId: `dcr-${"0123456789abcdef".repeat(2)}`, token: sim.token, ca }),
    ];
  });
  afterAll(() => backend.cleanup());

  describe("ServiceNow", () => {
    it("creates one change_request per finding, all values strings, then updates it instead of duplicating", async () => {
      const f = finding("stsnow1");
      await repo.enqueue(ticketMessages([f], ["servicenow"]), now().toISOString());
      const r1 = await drainOutbox(repo, sinks, opts);
      expect(r1).toMatchObject({ delivered: 1, dead: 0 });
      const recs = sim.state.serviceNow.change_request;
      expect(recs).toHaveLength(1);
      const post = sim.requests.find((r) => r.method === "POST" && r.path.endsWith("/change_request"));
      expect(Object.values(post?.body as object).every((v) => typeof v === "string")).toBe(true);
      expect(recs[0]).toMatchObject({
        type: "normal",
        correlation_id: `clarion:${f.id}`,
        category: "Security",
        priority: "2",
        state: "-5",
      });
      expect(recs[0].backout_plan).toContain("az policy assignment delete");
      // The same finding again: the key is the same, nothing is enqueued.
      expect(await repo.enqueue(ticketMessages([f], ["servicenow"]), now().toISOString())).toBe(0);
      // The finding changed: an update, on the same record.
      const f2 = { ...f, risk: { ...f.risk, score: 91, level: "critical" as const } };
      expect(await repo.enqueue(ticketMessages([f2], ["servicenow"]), now().toISOString())).toBe(1);
      await drainOutbox(repo, sinks, opts);
      expect(sim.state.serviceNow.change_request).toHaveLength(1);
      expect(recs[0].priority).toBe("1");
      expect(recs[0].work_notes_log.join("\n")).toMatch(/risk 91 \(critical\)/);
      const [t] = await ticketFor(repo, f.id);
      expect(t).toMatchObject({ sink: "servicenow", number: recs[0].number, status: "new" });
    });

    it("syncs the ticket status back onto the finding's ticket", async () => {
      const f = finding("stsnow2");
      await repo.enqueue(ticketMessages([f], ["servicenow-incident"]), now().toISOString());
      await drainOutbox(repo, sinks, opts);
      const inc = sim.state.serviceNow.incident[0];
      expect(inc).toMatchObject({ impact: "1", urgency: "1", correlation_id: `clarion:${f.id}` });
      expect(inc.number).toMatch(/^INC\d{7}$/);
      inc.state = "6";
      const s = await syncTicketStatus(repo, sinks, now);
      expect(s.changed.map((t) => t.status)).toEqual(["resolved"]);
      expect((await ticketFor(repo, f.id))[0].status).toBe("resolved");
    });

    it("a sink that is down and comes back yields exactly one ticket (retries with backoff)", async () => {
      const f = finding("stsnow3");
      await repo.enqueue(ticketMessages([f], ["servicenow"]), now().toISOString());
      sim.setDown(true);
      const r1 = await drainOutbox(repo, sinks, opts);
      expect(r1).toMatchObject({ attempted: 1, retrying: 1, delivered: 0 });
      // Not due yet: nothing happens.
      expect((await drainOutbox(repo, sinks, opts)).attempted).toBe(0);
      sim.setDown(false);
      // It came back, and the first create lands but its answer is lost.
      sim.dropAfterCommit(1);
      later(1000);
      const r2 = await drainOutbox(repo, sinks, opts);
      expect(r2).toMatchObject({ attempted: 1, retrying: 1 });
      expect(sim.state.serviceNow.change_request).toHaveLength(1);
      later(2000);
      const r3 = await drainOutbox(repo, sinks, opts);
      expect(r3).toMatchObject({ delivered: 1 });
      expect(sim.state.serviceNow.change_request).toHaveLength(1);
      const [msg] = await repo.list();
      expect(msg.state).toBe("delivered");
      expect((await repo.attempts(msg.id)).map((a) => a.ok)).toEqual([false, false, true]);
      expect((await ticketFor(repo, f.id))[0].number).toBe(sim.state.serviceNow.change_request[0].number);
    });

    it("dead-letters after N tries, and a requeue delivers it", async () => {
      await repo.enqueue(ticketMessages([finding("stsnow4")], ["servicenow"]), now().toISOString());
      sim.setDown(true);
      for (let i = 0; i < 6; i++) {
        await drainOutbox(repo, sinks, opts);
        later(120_000);
      }
      const [msg] = await repo.list();
      expect(msg.state).toBe("dead");
      expect(msg.attempts).toBe(4);
      expect(msg.lastError).toMatch(/503/);
      sim.setDown(false);
      expect(await repo.requeue(msg.id, now().toISOString())).toBe(true);
      expect((await drainOutbox(repo, sinks, opts)).delivered).toBe(1);
    });

    it("a permanent error (bad credentials) is dead-lettered at once", async () => {
      const bad = serviceNowSink({
        instanceUrl: sim.endpoints.serviceNow,
        user: "x",
        password: "wrong",
        table: "incident",
        name: "snow-bad",
        ca: sim.cert.cert,
      });
      await repo.enqueue(ticketMessages([finding("stsnow5")], ["snow-bad"]), now().toISOString());
      const r = await drainOutbox(repo, [bad], opts);
      expect(r).toMatchObject({ attempted: 1, dead: 1 });
      expect(r.errors[0].error).toMatch(/401/);
    });
  });

  describe("outbox exactly once", () => {
    it("three dispatchers at once drain one outbox: every message is sent once, none twice", async () => {
      const fs = Array.from({ length: 12 }, (_, i) => finding(`stonce${i}`));
      const msgs = noticeMessages(fs, ["webhook"]);
      // Enqueued twice, and once more through a second connection: the idempotency key keeps one row each.
      expect(await repo.enqueue([...msgs, ...msgs], now().toISOString())).toBe(12);
      // PostgreSQL: three connections, as three worker processes would have. SQLite: one process has one writer
      // connection (a second one would block the event loop in its busy wait), so three dispatchers share it.
      const conn = async () => (backend.name === "postgres" ? backend.reopen(store) : store);
      const others = [new StoreDeliveryRepo(await conn()), new StoreDeliveryRepo(await conn())];
      expect(await others[0].enqueue(msgs, now().toISOString())).toBe(0);
      const reports = await Promise.all([repo, ...others].map((r) => drainOutbox(r, sinks, { ...opts, batch: 3 })));
      expect(reports.reduce((n, r) => n + r.delivered, 0)).toBe(12);
      expect(reports.reduce((n, r) => n + r.attempted, 0)).toBe(12);
      const posts = sim.requests.filter((r) => r.path === "/webhook/clarion");
      expect(posts).toHaveLength(12);
      const listed = await repo.list();
      expect(listed.map((m) => m.state)).toEqual(Array(12).fill("delivered"));
      for (const m of listed) expect((await others[1].attempts(m.id)).map((a) => [a.attempt, a.ok])).toEqual([[1, true]]);
      // Nothing is left to claim, on any connection.
      expect((await drainOutbox(others[1], sinks, opts)).attempted).toBe(0);
    });

    it("a claimed message is leased: a second dispatcher skips it until the lease runs out", async () => {
      await repo.enqueue(noticeMessages([finding("stlease1")], ["webhook"]), now().toISOString());
      const other = new StoreDeliveryRepo(await backend.reopen(store));
      const t = now().toISOString();
      const [claimed] = await repo.claimDue(t, 10, 60_000);
      expect(claimed.attempts).toBe(0);
      expect(await other.claimDue(t, 10, 60_000)).toEqual([]);
      const afterLease = new Date(Date.parse(t) + 60_000).toISOString();
      expect((await other.claimDue(afterLease, 10, 60_000)).map((m) => m.id)).toEqual([claimed.id]);
    });
  });

  describe("Jira", () => {
    it("creates an issue with an ADF description, finds it again after a lost answer, updates it, syncs its status", async () => {
      const f = finding("stjira1", { explanation: { ...finding("x").explanation, summary: "Old TLS <script>alert(1)</script>" } });
      await repo.enqueue(ticketMessages([f], ["jira"]), now().toISOString());
      sim.dropAfterCommit(1);
      await drainOutbox(repo, sinks, opts);
      later(5000);
      await drainOutbox(repo, sinks, opts);
      expect(sim.state.jira).toHaveLength(1);
      const issue = sim.state.jira[0];
      expect(issue.fields.description.type).toBe("doc");
      expect(issue.fields.labels).toContain(`clarion-${f.id.toLowerCase()}`);
      expect(JSON.stringify(issue.fields.description)).toContain("<script>alert(1)</script>"); // text node, not markup
      const f2 = { ...f, risk: { ...f.risk, level: "critical" as const, score: 95 } };
      await repo.enqueue(ticketMessages([f2], ["jira"]), now().toISOString());
      await drainOutbox(repo, sinks, opts);
      expect(sim.state.jira).toHaveLength(1);
      expect(issue.fields.priority.name).toBe("Highest");
      expect(sim.requests.filter((r) => r.method === "PUT" && r.path.includes("/issue/")).map((r) => r.status)).toEqual([204]);
      issue.fields.status = { name: "Done", statusCategory: { key: "done" } };
      await syncTicketStatus(repo, sinks, now);
      expect((await ticketFor(repo, f.id))[0]).toMatchObject({ sink: "jira", number: issue.key, status: "resolved" });
    });

    it("a plain-string description would be refused by the contract (the simulator checks ADF)", async () => {
      const { sendJson, createHttpPipeline } = await import("../http");
      const http = createHttpPipeline({ ca: sim.cert.cert, retry: false });
      await expect(
        sendJson(http, {
          method: "POST",
          url: `${sim.endpoints.jira}/rest/api/3/issue`,
          headers: { authorization: `Basic ${Buffer.from("clarion@example.com:sim-api-token").toString("base64")}` },
          body: { fields: { project: { key: "SEC" }, issuetype: { name: "Task" }, summary: "x", description: "plain" } },
        }),
      ).rejects.toMatchObject({ statusCode: 400 });
      http.close();
    });
  });

  describe("chat and webhooks", () => {
    it("Teams gets an Adaptive Card (202), Slack a Block Kit message (ok) with mrkdwn escaped", async () => {
      const f = finding("stchat1", { resourceName: "st<b>&co" });
      await repo.enqueue(noticeMessages([f], ["teams", "slack"]), now().toISOString());
      const r = await drainOutbox(repo, sinks, opts);
      expect(r).toMatchObject({ delivered: 2, dead: 0 });
      const card = sim.state.teams[0].attachments[0];
      expect(card.contentType).toBe("application/vnd.microsoft.card.adaptive");
      expect(card.content.version).toBe("1.4");
      expect(card.content.body.find((b: { type: string }) => b.type === "FactSet").facts[0]).toEqual({
        title: "Resource",
        value: "st<b>&co",
      });
      expect(sim.requests.find((x) => x.path.startsWith("/teams/"))?.status).toBe(202);
      const slack = sim.state.slack[0];
      expect(slack.text).toMatch(/High severity/);
      expect(JSON.stringify(slack.blocks)).toContain("st&lt;b&gt;&amp;co");
    });

    it("the generic webhook is signed with HMAC-SHA256 over timestamp.body; a wrong secret is refused", async () => {
      const f = finding("sthook1");
      await repo.enqueue(noticeMessages([f], ["webhook"]), now().toISOString());
      expect((await drainOutbox(repo, sinks, opts)).delivered).toBe(1);
      const req = sim.requests.find((x) => x.path === "/webhook/clarion");
      const raw = JSON.stringify(req?.body);
      const expected = `sha256=${createHmac("sha256", "sim-webhook-secret").update(`${req?.headers["x-clarion-timestamp"]}.${raw}`).digest("hex")}`;
      expect(req?.headers["x-clarion-signature"]).toBe(expected);
      expect(signWebhook("k", "1", "{}")).toBe(`sha256=${createHmac("sha256", "k").update("1.{}").digest("hex")}`);
      const wrong = webhookSink({ url: sim.endpoints.webhook, secret: "nope", name: "hook-wrong", ca: sim.cert.cert });
      await repo.enqueue(noticeMessages([finding("sthook2")], ["hook-wrong"]), now().toISOString());
      expect(await drainOutbox(repo, [wrong], opts)).toMatchObject({ dead: 1 });
    });
  });

  describe("Sentinel (Logs Ingestion)", () => {
    it("ingests AI_CSPMRecommendations_CL rows (PascalCase + TimeGenerated) into the declared stream", async () => {
      const fs = [finding("stsent1"), finding("stsent2")];
      await repo.enqueue(sentinelMessages(fs, "sentinel", now().toISOString()), now().toISOString());
      expect((await drainOutbox(repo, sinks, opts)).delivered).toBe(1);
      const [batch] = sim.state.ingested;
      expect(batch.stream).toBe(`Custom-${SENTINEL_TABLE}`);
      expect(batch.rows.map((r) => r.ResourceName)).toEqual(["stsent1", "stsent2"]);
      expect(batch.rows[0].TimeGenerated).toBe(now().toISOString());
      const req = sim.requests.find((r) => r.path.startsWith("/ingest/"));
      expect(req?.query["api-version"]).toBe("2023-01-01");
      expect(req?.headers.authorization).toBe(`Bearer ${sim.token}`);
    });

    it("batches stay under 1 MB; a 413 splits the batch", async () => {
      const big = (i: number) => ({ TimeGenerated: now().toISOString(), Id: `r${i}`, Pad: "x".repeat(300_000) });
      expect(batchRows([big(1), big(2), big(3), big(4)], 1_000_000).map((b) => b.length)).toEqual([3, 1]);
      const loose = sentinelSink({
        endpoint: sim.endpoints.ingestion,
        dcrImmutableId: `dcr-${"0123456789abcdef".repeat(2)}`,
        token: sim.token,
        ca: sim.cert.cert,
        maxBytes: 5_000_000,
        name: "sentinel-loose",
      });
      await repo.enqueue(
        [{ idempotencyKey: "big", sink: "sentinel-loose", topic: "sentinel.rows", payload: { rows: [1, 2, 3, 4].map(big) } }],
        now().toISOString(),
      );
      expect((await drainOutbox(repo, [loose], opts)).delivered).toBe(1);
      expect(sim.requests.filter((r) => r.path.startsWith("/ingest/")).map((r) => r.status)).toEqual([413, 204, 204]);
      expect(sim.state.ingested.flatMap((b) => b.rows.map((r) => r.Id))).toEqual(["r1", "r2", "r3", "r4"]);
    });
  });
});
