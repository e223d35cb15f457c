import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyChain } from "../store/audit-chain";
import { findingIdsFromAlerts } from "./incidents";
import { serverVariants, type TestServer, testServer } from "./testing";

const TOKEN = "sentinel-webhook-secret-0123456789abcdef";
const ARM =
  "/subscriptions/0b1f6471-0000-0000-0000-000000000000/resourceGroups/rg-soc/providers/Microsoft.OperationalInsights/workspaces/law-soc/providers/Microsoft.SecurityInsights/incidents/6a1c5e0f-9d2b-4f3e-8b7a-1c2d3e4f5a6b";

/** The body the playbook's HTTP action sends (deploy/sentinel/playbook-clarion-webhook.json). */
function incident(findingIds: string[], over: Record<string, unknown> = {}) {
  return {
    source: "microsoft-sentinel",
    incidentArmId: ARM,
    incidentNumber: 4172,
    incidentUrl: "https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident/x",
    title: "Clarion: Secure transfer on st003prd (risk 90)",
    severity: "High",
    status: "New",
    createdTimeUtc: "2026-12-04T11:58:00Z",
    alerts: findingIds.map((id) => ({
      properties: {
        alertDisplayName: "Clarion new critical finding",
        additionalData: { "Custom Details": JSON.stringify({ FindingId: [id], RiskScore: ["90"] }) },
      },
    })),
    relatedResources: [
      {
        kind: "AzureResource",
        properties: { resourceId: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st003prd" },
      },
    ],
    ...over,
  };
}

describe.each(serverVariants("server_webhook"))("POST /api/v1/webhooks/sentinel on $name", ({ opts: store }) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await testServer(10, { webhookToken: TOKEN, ...store });
  });
  afterAll(async () => t?.close());
  const send = (body: object, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: "POST",
      url: "/api/v1/webhooks/sentinel",
      headers: { authorization: `Bearer ${TOKEN}`, "idempotency-key": ARM, ...headers },
      payload: body,
    });
  const count = async (sql: string) => Number(Object.values((await t.store.query(sql))[0])[0]);

  it("refuses a missing or wrong secret, and a user's API token", async () => {
    expect((await send(incident([]), { authorization: "" })).statusCode).toBe(401);
    expect((await send(incident([]), { authorization: `Bearer ${TOKEN}x` })).statusCode).toBe(401);
    expect((await send(incident([]), { authorization: `Bearer ${TOKEN.slice(0, -1)}` })).statusCode).toBe(401);
    expect((await send(incident([]), t.auth("admin"))).statusCode).toBe(401);
    expect((await send(incident([]), { "idempotency-key": "" })).statusCode).toBe(400);
    expect((await send({ title: "no id" })).statusCode).toBe(400);
    expect(await count("SELECT count(*) FROM server_incidents")).toBe(0);
  });

  it("records the incident against the findings it names, audits it, shows it on the finding; a replay records nothing", async () => {
    const auditBefore = await count("SELECT count(*) FROM audit");
    const body = incident(["F-000000000003", "F-000000000004", "F-not-stored"]);
    const first = await send(body);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({
      recorded: true,
      incidentNumber: 4172,
      findingIds: ["F-000000000003", "F-000000000004"],
      unknownFindingIds: ["F-not-stored"],
    });
    expect(await count("SELECT count(*) FROM audit")).toBe(auditBefore + 1);
    const ev = (await t.store.listAudit()).at(-1);
    expect(ev).toMatchObject({ actor: "sentinel-webhook", action: "incident.received", subject: ARM });
    expect(ev?.details.findingIds).toEqual(["F-000000000003", "F-000000000004"]);

    const replay = await send(body);
    expect(replay.statusCode).toBe(201);
    expect(replay.body).toBe(first.body);
    expect(replay.headers["idempotent-replayed"]).toBe("true");
    expect(await count("SELECT count(*) FROM audit")).toBe(auditBefore + 1);
    expect(await count("SELECT count(*) FROM server_incidents")).toBe(1);
    expect(await count("SELECT count(*) FROM server_incident_findings")).toBe(2);

    // Same key, different body: not a replay.
    const changed = await send({ ...body, status: "Closed" });
    expect(changed.statusCode).toBe(409);
    expect(await count("SELECT count(*) FROM server_incidents")).toBe(1);

    const detail = (await t.app.inject({ url: "/api/v1/findings/F-000000000003", headers: t.auth("viewer") })).json();
    expect(detail.incidents).toHaveLength(1);
    expect(detail.incidents[0]).toMatchObject({ incidentNumber: 4172, severity: "High", status: "New", title: body.title });
    expect((await t.app.inject({ url: "/api/v1/findings/F-000000000005", headers: t.auth("viewer") })).json().incidents).toEqual([]);
    const hist = (await t.app.inject({ url: "/api/v1/findings/F-000000000004/history", headers: t.auth("analyst") })).json();
    expect(hist.audit.map((e: { action: string }) => e.action)).toContain("incident.received");
    expect(verifyChain(await t.store.listAudit()).ok).toBe(true);
  });

  it("concurrent deliveries of one key record it once", async () => {
    const key = `${ARM}-2`;
    const body = incident(["F-000000000006"], { incidentArmId: key, incidentNumber: "4173" });
    const rs = await Promise.all(Array.from({ length: 5 }, () => send(body, { "idempotency-key": key })));
    expect(rs.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(rs.map((r) => r.body)).size).toBe(1);
    expect(rs.filter((r) => r.headers["idempotent-replayed"] !== "true")).toHaveLength(1);
    expect(await count(`SELECT count(*) FROM audit WHERE action = 'incident.received' AND subject = '${key}'`)).toBe(1);
    expect(rs[0].json().incidentNumber).toBe(4173);
  });

  it("reads FindingId from the custom-details shapes Sentinel uses, and ignores junk", () => {
    expect(
      findingIdsFromAlerts([
        { properties: { additionalData: { "Custom Details": '{"FindingId":["F-1","F-2"]}' } } },
        { properties: { customDetails: { FindingId: "F-3" } } },
        { ExtendedProperties: { "Custom Details": { FindingIds: '["F-4"]' } } },
        { properties: { additionalData: { "Custom Details": "not json" } } },
        { properties: { additionalData: { "Custom Details": '{"FindingId":["<script>", "F-1"]}' } } },
        null,
        "x",
      ]),
    ).toEqual(["F-1", "F-2", "F-3", "F-4"]);
    expect(findingIdsFromAlerts(null)).toEqual([]);
  });

  it("answers 503 when no webhook secret is configured, and refuses a short one at startup", async () => {
    const other = await testServer(2, store);
    try {
      const r = await other.app.inject({
        method: "POST",
        url: "/api/v1/webhooks/sentinel",
        headers: { "idempotency-key": "k" },
        payload: incident([]),
      });
      expect(r.statusCode).toBe(503);
      expect(r.json().error.code).toBe("NOT_CONFIGURED");
    } finally {
      await other.close();
    }
    await expect(testServer(1, { webhookToken: "short", ...store })).rejects.toThrow(/at least 24/);
  });
});
