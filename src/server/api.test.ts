import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError, ExternalServiceError, InputError, NotAllowedError, NotEvaluableError, NotFoundError } from "../domain/errors";
import { statusFor, UnauthenticatedError } from "./errors";
import { SUB_A, SUB_B, serverVariants, type TestServer, testServer } from "./testing";

describe.each(serverVariants("server_api", { portableSqlite: true }))("REST API on $name", ({ opts: store }) => {
  let t: TestServer;
  const NOW = new Date("2026-12-04T12:00:00.000Z");
  beforeAll(async () => {
    t = await testServer(40, { now: () => NOW, ...store });
  });
  afterAll(async () => t?.close());
  const get = (url: string, role: Parameters<TestServer["auth"]>[0] = "viewer") => t.app.inject({ url, headers: t.auth(role) });
  const post = (url: string, payload: object, role: Parameters<TestServer["auth"]>[0]) =>
    t.app.inject({ method: "POST", url, headers: t.auth(role), payload });

  it("lists findings highest risk first with filters, counts and offset paging", async () => {
    const all = (await get("/api/v1/findings?limit=500")).json();
    expect(all.total).toBe(40);
    const scores = all.items.map((r: { riskScore: number }) => r.riskScore);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const high = (await get("/api/v1/findings?severity=high&limit=5")).json();
    expect(high.total).toBe(all.items.filter((r: { severity: string }) => r.severity === "High").length);
    expect(high.items.every((r: { severity: string }) => r.severity === "High")).toBe(true);
    const both = (await get("/api/v1/findings?severity=High,Low&framework=nist-800-53-r5&environment=production")).json();
    for (const r of both.items) {
      expect(["High", "Low"]).toContain(r.severity);
      expect(r.frameworks).toContain("nist-800-53-r5");
      expect(r.environment).toBe("production");
    }
    expect(both.total).toBe(
      all.items.filter(
        (r: { severity: string; frameworks: string[]; environment: string }) =>
          r.severity !== "Medium" && r.frameworks.includes("nist-800-53-r5") && r.environment === "production",
      ).length,
    );
    const p2 = (await get("/api/v1/findings?limit=10&offset=10")).json();
    expect(p2.items.map((r: { id: string }) => r.id)).toEqual(all.items.slice(10, 20).map((r: { id: string }) => r.id));
    const crit = (await get("/api/v1/findings?level=critical")).json();
    expect(crit.items.every((r: { riskScore: number }) => r.riskScore >= 65)).toBe(true);
    expect(crit.total).toBe(all.items.filter((r: { riskLevel: string }) => r.riskLevel === "critical").length);
  });

  it("keyset cursor pages walk every finding exactly once", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (
        await get(`/api/v1/findings?limit=7${cursor ? `&cursor=${cursor}` : ""}`)
      ).json();
      seen.push(...page.items.map((r: { id: string }) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.length).toBe(40);
    expect(new Set(seen).size).toBe(40);
  });

  it("searches names and ids, sorts by other keys, owner filter is exact", async () => {
    const s = (await get("/api/v1/findings?search=secure%20transfer")).json();
    expect(s.total).toBe(8);
    const byId = (await get("/api/v1/findings?search=F-000000000007")).json();
    expect(byId.items.map((r: { id: string }) => r.id)).toEqual(["F-000000000007"]);
    const pct = (await get("/api/v1/findings?search=%25")).json();
    expect(pct.total).toBe(0);
    const names = (await get("/api/v1/findings?sort=resource&order=asc&limit=500"))
      .json()
      .items.map((r: { resourceName: string }) => r.resourceName);
    expect(names).toEqual([...names].sort());
    const owner = (await get("/api/v1/findings?owner=web-team@contoso.example&limit=500")).json();
    expect(owner.total).toBe(20);
    expect((await get("/api/v1/findings?owner=web-team")).json().total).toBe(0);
  });

  it("rejects bad queries with 400 and names the field", async () => {
    const r = await get("/api/v1/findings?severity=Critical");
    expect(r.statusCode).toBe(400);
    expect(r.json().error.message).toContain("severity");
    expect((await get("/api/v1/findings?limit=100000")).statusCode).toBe(400);
    expect((await get("/api/v1/findings?cursor=zz&sort=resource")).statusCode).toBe(400);
  });

  it("returns a finding's detail with explanation, citations, every remediation kind with rollback", async () => {
    const r = await get("/api/v1/findings/F-000000000003");
    expect(r.statusCode).toBe(200);
    const { finding } = r.json();
    expect(finding.explanation.citations[0].factId).toBe("resource.name");
    expect(finding.remediation.map((x: { kind: string }) => x.kind)).toEqual(["az-cli", "azure-policy"]);
    expect(finding.remediation.every((x: { rollback: string }) => x.rollback.length > 0)).toBe(true);
    expect((await get("/api/v1/findings/F-nope")).statusCode).toBe(404);
  });

  it("what-if evaluates the drafted policy against stored resources", async () => {
    const r = (await get("/api/v1/findings/F-000000000001/whatif")).json();
    // resources with i % 4 === 3 have https-only; the other 30 of 40 are noncompliant
    expect(r.counts.noncompliant).toBe(30);
    expect(r.counts.compliant).toBe(10);
    expect(r.includesThisResource).toBe(true);
    const deny = (await get("/api/v1/findings/F-000000000001/whatif?effect=Deny")).json();
    expect(deny.effect.toLowerCase()).toBe("deny");
  });

  it("audit verification reports a tampered event", async () => {
    const { app, store: s, auth, close } = await testServer(3, store);
    try {
      await s.exec("UPDATE audit SET actor = ? WHERE seq = ?", ["mallory", 1]);
      const v = (await app.inject({ url: "/api/v1/audit/verify", headers: auth("admin") })).json();
      expect(v.ok).toBe(false);
      expect(v.problem.seq).toBe(1);
    } finally {
      await close();
    }
  });

  it("exemptions need a justification and an expiry within a year; they mark the finding and can be revoked", async () => {
    const base = { findingId: "F-000000000010", category: "mitigated" };
    expect((await post("/api/v1/exemptions", { ...base, justification: "short", expiresOn: "2027-01-01" }, "approver")).statusCode).toBe(
      400,
    );
    expect(
      (
        await post(
          "/api/v1/exemptions",
          { ...base, justification: "WAF blocks plain HTTP at the edge", expiresOn: "2026-01-01" },
          "approver",
        )
      ).statusCode,
    ).toBe(400);
    expect(
      (
        await post(
          "/api/v1/exemptions",
          { ...base, justification: "WAF blocks plain HTTP at the edge", expiresOn: "2029-01-01" },
          "approver",
        )
      ).statusCode,
    ).toBe(400);
    const ok = await post(
      "/api/v1/exemptions",
      { ...base, justification: "WAF blocks plain HTTP at the edge", expiresOn: "2027-03-31" },
      "approver",
    );
    expect(ok.statusCode).toBe(201);
    const detail = (await get("/api/v1/findings/F-000000000010")).json().finding;
    expect(detail.exemption.category).toBe("mitigated");
    const exempt = (await get("/api/v1/findings?exempt=true")).json();
    expect(exempt.items.map((r: { id: string }) => r.id)).toEqual(["F-000000000010"]);
    expect((await get("/api/v1/findings?exempt=false")).json().total).toBe(39);
    const del = await t.app.inject({ method: "DELETE", url: `/api/v1/exemptions/${ok.json().id}`, headers: t.auth("approver") });
    expect(del.json().revokedAt).toBeTruthy();
    expect((await get("/api/v1/findings?exempt=true")).json().total).toBe(0);
  });

  it("feedback is recorded and totalled", async () => {
    expect(
      (await post("/api/v1/findings/F-000000000001/feedback", { helpful: false, comment: "owner is wrong" }, "analyst")).statusCode,
    ).toBe(201);
    const fb = (await get("/api/v1/feedback")).json();
    expect(fb.total).toBeGreaterThanOrEqual(1);
    expect(fb.items[0].comment).toBe("owner is wrong");
  });

  it("a scoped token sees one subscription only", async () => {
    const { token } = await t.app.clarion.tokens.create({ name: "scoped", role: "viewer", scope: SUB_A });
    const h = { authorization: `Bearer ${token}` };
    const list = (
      await t.app.inject({ url: "/api/v1/findings?limit=500&subscriptionId=22222222-2222-4222-8222-222222222222", headers: h })
    ).json();
    expect(list.total).toBe(20);
    expect(list.items.every((r: { subscriptionId: string }) => r.subscriptionId === SUB_A)).toBe(true);
    expect((await t.app.inject({ url: "/api/v1/findings/F-000000000001", headers: h })).statusCode).toBe(404);
    expect((await t.app.inject({ url: "/api/v1/findings/F-000000000002", headers: h })).statusCode).toBe(200);
  });

  it("a scoped token's overview, facets and compliance count its subscription only", async () => {
    const { token } = await t.app.clarion.tokens.create({ name: "scoped-b", role: "viewer", scope: SUB_B });
    const h = { authorization: `Bearer ${token}` };
    const mine = (await get(`/api/v1/findings?limit=500&subscriptionId=${SUB_B}`)).json().items as { id: string; severity: string }[];
    expect(mine.length).toBe(20);
    const o = (await t.app.inject({ url: "/api/v1/overview", headers: h })).json();
    expect(o.scope).toBe(SUB_B);
    expect(o.totals.findings).toBe(20);
    expect(o.totals.bySeverity.High).toBe(mine.filter((r) => r.severity === "High").length);
    expect(Object.keys(o.totals.bySeverity).length).toBeGreaterThan(0);
    expect(o.topRisks.every((r: { subscriptionId: string }) => r.subscriptionId === SUB_B)).toBe(true);
    // The run summary only has SUB_A's Secure Score; estate-wide run totals are withheld.
    expect(o.secureScore).toEqual([]);
    expect(o.trend[0].findings).toBeNull();
    const all = (await get("/api/v1/overview")).json();
    expect(all.totals.findings).toBe(40);
    expect(all.trend[0].findings).toBe(40);
    const facets = (await t.app.inject({ url: "/api/v1/findings/facets", headers: h })).json();
    expect(facets.total).toBe(20);
    expect(Object.keys(facets.subscription)).toEqual([SUB_B]);
    // Every finding maps to MCSB DP-3; only odd (SUB_B) findings map to NIST SC-8.
    const mcsb = (await t.app.inject({ url: "/api/v1/compliance/mcsb", headers: h })).json();
    const dp3 = mcsb.detail.find((x: { controlId: string }) => x.controlId === "DP-3");
    expect(dp3.findings).toBe(20);
    expect(dp3.findingIds.every((id: string) => mine.some((r) => r.id === id))).toBe(true);
    const list = (await t.app.inject({ url: "/api/v1/compliance", headers: h })).json();
    expect(list.find((f: { id: string }) => f.id === "mcsb").findings).toBe(20);
    const { token: tokA } = await t.app.clarion.tokens.create({ name: "scoped-a", role: "viewer", scope: SUB_A });
    const a = (await t.app.inject({ url: "/api/v1/overview", headers: { authorization: `Bearer ${tokA}` } })).json();
    expect(a.totals.findings).toBe(20);
    expect(a.secureScore.map((x: { subscriptionId: string }) => x.subscriptionId)).toEqual([SUB_A]);
  });

  it("overview, compliance, paths, changes, runs answer", async () => {
    const o = (await get("/api/v1/overview")).json();
    expect(o.totals.findings).toBe(40);
    expect(o.topRisks).toHaveLength(10);
    expect(o.secureScore[0].percentage).toBe(0.5);
    const c = (await get("/api/v1/compliance")).json();
    const mcsb = c.find((f: { id: string }) => f.id === "mcsb");
    expect(mcsb.failing).toBeGreaterThan(0);
    const detail = (await get("/api/v1/compliance/mcsb")).json();
    expect(detail.detail.find((x: { controlId: string }) => x.controlId === "DP-3").findings).toBe(40);
    expect((await get("/api/v1/compliance/nope")).statusCode).toBe(404);
    expect((await get("/api/v1/paths")).statusCode).toBe(200);
    expect((await get("/api/v1/changes")).json().events).toEqual([]);
    expect((await get("/api/v1/runs")).json().runs[0].id).toBe("run-1");
  });

  it("tokens: created via the API (admin), secret shown once, hashed at rest, revocable", async () => {
    const r = await post("/api/v1/tokens", { name: "ci", role: "analyst" }, "admin");
    expect(r.statusCode).toBe(201);
    const { token, id } = r.json();
    expect(token).toMatch(/^clr_/);
    const [{ hash: stored }] = await t.store.query<{ hash: string }>("SELECT hash FROM server_tokens WHERE id = ?", [id]);
    expect(stored).not.toContain(token.slice(4));
    expect(JSON.stringify((await get("/api/v1/tokens", "admin")).json())).not.toContain(token);
    expect((await t.app.inject({ url: "/api/v1/me", headers: { authorization: `Bearer ${token}` } })).json().role).toBe("analyst");
    await t.app.inject({ method: "DELETE", url: `/api/v1/tokens/${id}`, headers: t.auth("admin") });
    expect((await t.app.inject({ url: "/api/v1/me", headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
  });

  it("maps each typed error to one status code", () => {
    expect(statusFor(new InputError("x"))).toBe(400);
    expect(statusFor(new NotFoundError("x"))).toBe(404);
    expect(statusFor(new ConflictError("x"))).toBe(409);
    expect(statusFor(new NotAllowedError("x"))).toBe(403);
    expect(statusFor(new UnauthenticatedError("x"))).toBe(401);
    expect(statusFor(new NotEvaluableError("x"))).toBe(422);
    expect(statusFor(new ExternalServiceError("x", 503))).toBe(502);
    expect(statusFor(new Error("x"))).toBe(500);
  });

  it("unknown API routes are JSON 404s", async () => {
    const r = await get("/api/v1/nothing-here");
    expect(r.statusCode).toBe(404);
    expect(r.json().error.code).toBe("NOT_FOUND");
  });
});
