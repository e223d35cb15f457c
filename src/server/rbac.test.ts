import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canTransition } from "../workflow";
import { can, PERMISSIONS, ROLES } from "./rbac";
import { serverVariants, type TestServer, testServer } from "./testing";

const WEBHOOK_TOKEN = "whk-test-0123456789abcdef-0123456789";

/**
 * Every registered route x every role: a role lacking the route's permission gets 403, a role holding it never
 * gets 401/403, and no credentials get 401. The route list comes from the server itself, so a new route is
 * covered (and a route without a permission fails to register).
 */
describe.each(serverVariants("server_rbac"))("RBAC over every route and role on $name", ({ opts: store }) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await testServer(12, { webhookToken: WEBHOOK_TOKEN, ...store });
  });
  afterAll(async () => t?.close());

  const sample = (url: string) => url.replace(":id", "F-000000000001");
  const bodyFor = (url: string): unknown => {
    if (url === "/api/v1/approvals") return { findingId: "F-000000000001" };
    if (url === "/api/v1/webhooks/sentinel") return { incidentArmId: "/x/incidents/rbac", title: "t", alerts: [] };
    if (url === "/api/v1/exemptions")
      return { findingId: "F-000000000002", justification: "compensating control: WAF in front", expiresOn: "2099-01-01" };
    if (url === "/api/v1/tokens") return { name: "x", role: "viewer" };
    if (url.endsWith("/feedback")) return { helpful: true };
    return { comment: "looks fine to me" };
  };

  it("registers every API route with a permission and serves OpenAPI 3.1", async () => {
    const api = t.app.routeTable.filter((r) => r.url.startsWith("/api/"));
    expect(api.length).toBeGreaterThanOrEqual(30);
    for (const r of api) {
      if (r.webhook) expect(r.permission).toBeUndefined();
      else expect(PERMISSIONS).toContain(r.permission);
    }
    const doc = (await t.app.inject({ url: "/openapi.json" })).json();
    expect(doc.openapi).toBe("3.1.0");
    for (const r of api) expect(Object.keys(doc.paths)).toContain(r.url.replace(/:(\w+)/g, "{$1}"));
  });

  it("answers 401 without credentials and with a bad token on every API route", async () => {
    for (const r of t.app.routeTable.filter((x) => !x.public)) {
      const none = await t.app.inject({
        method: r.method as "GET",
        url: sample(r.url),
        payload: r.method === "GET" ? undefined : (bodyFor(r.url) as object),
      });
      expect(none.statusCode, `${r.method} ${r.url}`).toBe(401);
      const bad = await t.app.inject({
        method: r.method as "GET",
        url: sample(r.url),
        headers: { authorization: "Bearer clr_not-a-real-token" },
      });
      expect(bad.statusCode, `${r.method} ${r.url}`).toBe(401);
    }
  });

  it("public routes need no credentials", async () => {
    for (const url of ["/healthz", "/readyz", "/openapi.json"]) expect((await t.app.inject({ url })).statusCode).toBe(200);
  });

  for (const role of ROLES) {
    it(`role ${role}: 403 exactly where it lacks the permission`, async () => {
      const routes = t.app.routeTable.filter((x) => !x.public);
      let allowed = 0;
      for (const r of routes) {
        const res = await t.app.inject({
          method: r.method as "GET",
          url: sample(r.url),
          headers: { ...t.auth(role), "idempotency-key": "/x/incidents/rbac" },
          payload: r.method === "GET" || r.method === "DELETE" ? undefined : (bodyFor(r.url) as object),
        });
        if (r.webhook) {
          // A user's token, whatever its role, is not the webhook's secret.
          expect(res.statusCode, `${role} ${r.method} ${r.url}`).toBe(401);
          continue;
        }
        const permitted = can(role, r.permission as (typeof PERMISSIONS)[number]);
        if (permitted) {
          allowed++;
          expect([401, 403], `${role} ${r.method} ${r.url} -> ${res.statusCode} ${res.body}`).not.toContain(res.statusCode);
          // Business-rule refusals are 400/404/409 (e.g. approving a missing approval), never a role refusal.
          if (res.statusCode === 403) throw new Error(res.body);
        } else {
          expect(res.statusCode, `${role} ${r.method} ${r.url}`).toBe(403);
          expect(res.json().error.code).toBe("NOT_ALLOWED");
        }
      }
      expect(allowed).toBeGreaterThan(0);
    });
  }

  it("webhook routes take their own secret and nothing else", async () => {
    const hooks = t.app.routeTable.filter((r) => r.webhook);
    expect(hooks.map((r) => r.url)).toEqual(["/api/v1/webhooks/sentinel"]);
    for (const r of hooks) {
      const res = await t.app.inject({
        method: r.method as "POST",
        url: r.url,
        headers: { authorization: `Bearer ${WEBHOOK_TOKEN}`, "idempotency-key": "/x/incidents/rbac" },
        payload: bodyFor(r.url) as object,
      });
      expect(res.statusCode, res.body).toBe(201);
    }
  });

  it("the route permissions match the workflow engine's role x transition matrix", () => {
    const edge: Record<string, [string, string][]> = {
      "approval:request": [
        ["draft", "pending-review"],
        ["needs-info", "pending-review"],
      ],
      "approval:decide": [
        ["pending-review", "approved"],
        ["pending-review", "rejected"],
        ["pending-review", "needs-info"],
      ],
      deploy: [
        ["approved", "scheduled"],
        ["scheduled", "deployed"],
        ["deployed", "rolled-back"],
      ],
      "deploy:verify": [["deployed", "verified"]],
    };
    for (const role of ROLES)
      for (const [perm, edges] of Object.entries(edge))
        for (const [from, to] of edges)
          expect(can(role, perm as (typeof PERMISSIONS)[number]), `${role} ${perm} ${from}->${to}`).toBe(
            canTransition(role, from as "draft", to as "draft"),
          );
  });
});
