import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { can, PERMISSIONS, ROLES } from "./rbac";
import { type TestServer, testServer } from "./testing";

/**
 * Every registered route x every role: a role lacking the route's permission gets 403, a role holding it never
 * gets 401/403, and no credentials get 401. The route list comes from the server itself, so a new route is
 * covered (and a route without a permission fails to register).
 */
describe("RBAC over every route and role", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await testServer(12);
  });
  afterAll(async () => t?.close());

  const sample = (url: string) => url.replace(":id", "F-000000000001");
  const bodyFor = (url: string): unknown => {
    if (url === "/api/v1/approvals") return { findingId: "F-000000000001", remediationKind: "az-cli" };
    if (url === "/api/v1/exemptions")
      return { findingId: "F-000000000002", justification: "compensating control: WAF in front", expiresOn: "2099-01-01" };
    if (url === "/api/v1/tokens") return { name: "x", role: "viewer" };
    if (url.endsWith("/feedback")) return { helpful: true };
    return { comment: "looks fine to me" };
  };

  it("registers every API route with a permission and serves OpenAPI 3.1", async () => {
    const api = t.app.routeTable.filter((r) => r.url.startsWith("/api/"));
    expect(api.length).toBeGreaterThanOrEqual(25);
    for (const r of api) expect(PERMISSIONS).toContain(r.permission);
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
          headers: t.auth(role),
          payload: r.method === "GET" || r.method === "DELETE" ? undefined : (bodyFor(r.url) as object),
        });
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
});
