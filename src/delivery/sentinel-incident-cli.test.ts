import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SinkSimulator } from "../../simulator/sinks/server";
import { type Anomaly, severityForScore, stableGuid } from "../changes";
import { runCli } from "../cli/testing";
import type { ActivityEvent } from "../domain/records";
import { testBackends } from "../workflow/test-stores";
import { StoreDeliveryRepo } from "./repo";
import type { IncidentPayload } from "./sentinel-incident";

/** `clarion changes anomalies --deliver` then `clarion deliver run`, against the sink simulator. */

const SUB = "0b1f6471-1bf0-4dda-aec3-111122223333";
const NSG = `/subscriptions/${SUB}/resourceGroups/rg-network-prd/providers/Microsoft.Network/networkSecurityGroups/nsg-web-prd`;
const KV = `/subscriptions/${SUB}/resourceGroups/rg-secrets-prd/providers/Microsoft.KeyVault/vaults/kv-pay-prd`;
const day = (d: number, h: number, m = 0) => Date.UTC(2026, 10, d, h, m);

let n = 0;
function op(
  caller: string,
  operationName: string,
  resourceId: string,
  t: number,
  ip = "203.0.113.5",
  app = "portal",
  corr = `corr-${++n}`,
): ActivityEvent[] {
  const base = {
    correlationId: corr,
    caller,
    operationName,
    resourceId,
    category: "Administrative",
    level: "Informational",
    callerIpAddress: ip,
    clientAppId: app,
  };
  return [
    { ...base, eventId: `e-${++n}`, time: new Date(t).toISOString(), status: "Started" },
    { ...base, eventId: `e-${++n}`, time: new Date(t + 10_000).toISOString(), status: "Succeeded" },
  ];
}

/** A month of one network engineer's daytime NSG work, then: their account at 03:10 from an unknown network and tool
 * changing a production Key Vault access policy (high score), and a developer's first, late NSG edit (lower score). */
function activity(): ActivityEvent[] {
  const ev: ActivityEvent[] = [];
  for (let d = 2; d <= 20; d++)
    for (const h of [9, 13, 16])
      ev.push(
        ...op(
          "net@x.example",
          "Microsoft.Network/networkSecurityGroups/securityRules/write",
          `${NSG}/securityRules/allow-https`,
          day(d, h),
        ),
      );
  ev.push(
    ...op(
      "net@x.example",
      "Microsoft.KeyVault/vaults/accessPolicies/write",
      `${KV}/accessPolicies/add`,
      day(25, 3, 10),
      "198.51.100.7",
      "python-requests",
      "corr-stolen",
    ),
  );
  ev.push(
    ...op(
      "dev@x.example",
      "Microsoft.Network/networkSecurityGroups/securityRules/write",
      `${NSG}/securityRules/allow-rdp`,
      day(24, 22, 5),
      "203.0.113.9",
      "portal",
      "corr-dev",
    ),
  );
  ev.push(
    ...op("net@x.example", "Microsoft.Network/networkSecurityGroups/securityRules/write", `${NSG}/securityRules/allow-https`, day(27, 10)),
  );
  return ev;
}

let sim: SinkSimulator;
let dir: string;
let withSink: string;
let withoutSink: string;

beforeAll(async () => {
  sim = new SinkSimulator();
  await sim.start();
  dir = mkdtempSync(join(tmpdir(), "clarion-incident-cli-"));
  const caFile = join(dir, "sim-ca.pem");
  writeFileSync(caFile, sim.cert.cert);
  process.env.CLARION_TEST_SENTINEL_TOKEN = sim.token;
  withSink = join(dir, "with.json");
  writeFileSync(
    withSink,
    JSON.stringify({
      sinks: {
        soc: {
          type: "sentinel-incident",
          subscriptionId: SUB,
          resourceGroup: "rg-soc",
          workspaceName: "law-soc",
          armEndpoint: sim.url,
          tokenEnv: "CLARION_TEST_SENTINEL_TOKEN",
          caFile,
        },
      },
      retry: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 },
    }),
  );
  withoutSink = join(dir, "without.json");
  writeFileSync(withoutSink, JSON.stringify({ sinks: { hook: { type: "webhook", url: "https://example.invalid/x", secretEnv: "NOPE" } } }));
});
afterAll(async () => {
  delete process.env.CLARION_TEST_SENTINEL_TOKEN;
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

const run = runCli;

const backends = testBackends("incidents_cli");

describe.each(backends)("clarion changes anomalies --deliver on $name", (backend) => {
  let db: string;
  let repo: StoreDeliveryRepo;

  beforeAll(async () => {
    sim.state = SinkSimulator.emptyState();
    const store = await backend.open();
    await store.replaceActivity(activity());
    db = backend.locator(store);
    repo = new StoreDeliveryRepo(store);
  });
  afterAll(() => backend.cleanup());

  it("says clearly when no sentinel-incident sink is configured, and queues nothing", async () => {
    const r = await run("changes", "anomalies", "--since", "7d", "--deliver", "--config", withoutSink, "--db", db, "-o", "json");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/not delivered: no sentinel-incident sink is configured \(none in .*without\.json\)/);
    expect(JSON.parse(r.out).length).toBeGreaterThanOrEqual(2); // the listing is still printed
    expect(await repo.list()).toEqual([]);
  });

  it("queues an incident only for anomalies at or above 70 by default, and --min-score lowers it", async () => {
    const listed = JSON.parse((await run("changes", "anomalies", "--since", "7d", "-o", "json", "--db", db)).out) as {
      correlationId: string;
      score: number;
    }[];
    const high = listed.filter((a) => a.score >= 70).map((a) => a.correlationId);
    const low = listed.filter((a) => a.score < 70).map((a) => a.correlationId);
    expect(high).toEqual(["corr-stolen"]);
    expect(low).toEqual(["corr-dev"]);

    const r = await run("changes", "anomalies", "--since", "7d", "--deliver", "--config", withSink, "--db", db);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/queued 1 Sentinel incident message\(s\) for 1 anomaly\(ies\) at score >= 70 to soc/);
    const ids = async () => (await repo.list()).map((m) => (m.payload as IncidentPayload).incident.incidentId).sort();
    expect(await ids()).toEqual([stableGuid("corr-stolen")]);

    const lowCut = Math.min(...listed.map((a) => a.score));
    const r2 = await run(
      "changes",
      "anomalies",
      "--since",
      "7d",
      "--deliver",
      "--min-score",
      String(lowCut),
      "--config",
      withSink,
      "--db",
      db,
    );
    expect(r2.err).toMatch(/queued 1 Sentinel incident message\(s\) for 2 anomaly\(ies\) .* \(1 unchanged, already queued or sent\)/);
    expect(await ids()).toEqual([stableGuid("corr-dev"), stableGuid("corr-stolen")].sort());
  });

  it("clarion deliver run sends them; a re-run neither queues nor creates anything new", async () => {
    const r = await run("deliver", "run", "--config", withSink, "--db", db);
    expect(r.out).toMatch(/^2 delivered, 0 already up to date, 0 to retry, 0 dead-lettered/);
    expect(sim.state.incidents.size).toBe(2);
    const names = [...sim.state.incidents.values()].map((i) => i.name).sort();
    expect(names).toEqual([stableGuid("corr-dev"), stableGuid("corr-stolen")].sort());
    const stolen = [...sim.state.incidents.values()].find((i) => i.name === stableGuid("corr-stolen"));
    const listed = JSON.parse((await run("changes", "anomalies", "--since", "7d", "-o", "json", "--db", db)).out) as Anomaly[];
    const a = listed.find((x) => x.correlationId === "corr-stolen");
    expect(stolen?.properties).toMatchObject({
      status: "New",
      severity: severityForScore(a?.score ?? 0),
      title: "Anomalous change: accessPolicies/write on add by net@x.example",
      firstActivityTimeUtc: new Date(day(25, 3, 10)).toISOString(),
    });
    expect(stolen?.properties.description).toContain(`${KV}/accessPolicies/add`);

    const again = await run("changes", "anomalies", "--since", "7d", "--deliver", "--config", withSink, "--db", db);
    expect(again.err).toMatch(/queued 0 Sentinel incident message\(s\) for 1 anomaly\(ies\) at score >= 70 to soc \(1 unchanged/);
    expect((await run("deliver", "run", "--config", withSink, "--db", db)).out).toMatch(/^0 delivered/);
    expect(sim.state.incidents.size).toBe(2);
    const status = JSON.parse((await run("deliver", "status", "--db", db, "-o", "json")).out) as { topic: string; state: string }[];
    expect(status.map((m) => [m.topic, m.state])).toEqual([
      ["change.incident", "delivered"],
      ["change.incident", "delivered"],
    ]);
  });
});
