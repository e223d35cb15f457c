import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyStoredExemptions, loadComplianceInput } from "../compliance/context";
import { createExemption, postExemptionStatus } from "../compliance/exemptions";
import { loadExemptions, saveExemptions } from "../compliance/persist";
import { verifyChain } from "../store/audit-chain";
import { buildServer } from "./app";
import { makeFinding, SUB_A, SUB_B, serverVariants, type TestServer, testServer } from "./testing";

/**
 * One exemptions system: what the dashboard grants is a compliance exemption (the CLI lists it, gap analysis
 * applies it, the stored finding carries it), and what `clarion compliance exempt` made shows on the dashboard
 * and can be removed there. On every store.
 */
const NOW = new Date("2026-12-04T12:00:00.000Z");
const VARIANTS = serverVariants("server_exm", { portableSqlite: true });
/** Past the reader's data-version check interval (a write by another process shows after it). */
const settle = () => new Promise((r) => setTimeout(r, 300));

describe.each(VARIANTS)("exemptions are compliance's on $name", ({ opts: store }) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await testServer(20, { now: () => NOW, ...store });
  });
  afterAll(async () => t?.close());
  const get = (url: string, role: Parameters<TestServer["auth"]>[0] = "viewer") => t.app.inject({ url, headers: t.auth(role) });

  it("an exemption granted in the API is a compliance exemption: listed, applied by gap analysis, carried by the stored finding", async () => {
    const r = await t.app.inject({
      method: "POST",
      url: "/api/v1/exemptions",
      headers: t.auth("approver"),
      payload: { findingId: "F-000000000004", category: "mitigated", justification: "WAF blocks plain HTTP at the edge", expiresOn: "2027-03-31" },
    });
    expect(r.statusCode, r.body).toBe(201);
    const view = r.json();
    expect(view).toMatchObject({ target: "finding", findingId: "F-000000000004", category: "mitigated", state: "active", source: "clarion" });
    expect(view.owner).toBe(makeFinding(4).owner.email);

    const stored = await loadExemptions(t.store);
    expect(stored.map((e) => e.id)).toEqual([view.id]);
    expect(stored[0]).toMatchObject({ findingId: "F-000000000004", createdBy: "approver-user", expiresOn: "2027-03-31T00:00:00.000Z" });
    expect((await t.store.getFinding("F-000000000004"))?.exemption?.id).toBe(view.id);
    const input = await loadComplianceInput(t.store, NOW);
    const f = input.findings.find((x) => x.id === "F-000000000004");
    expect(f && postExemptionStatus(f)).toBe("Exempt");
    expect(input.findings.filter((x) => x.exemption)).toHaveLength(1);

    expect((await get("/api/v1/findings?exempt=true")).json().items.map((x: { id: string }) => x.id)).toEqual(["F-000000000004"]);
    const hist = (await get("/api/v1/findings/F-000000000004/history", "analyst")).json();
    expect(hist.exemptions.map((e: { id: string }) => e.id)).toEqual([view.id]);
    expect(hist.audit.map((e: { action: string }) => e.action)).toContain("exemption.created");
  });

  it("an exemption made by the CLI shows in the API, marks the findings it covers, and can be removed there", async () => {
    // What `clarion compliance exempt --resource … ` does (src/cli/commands/compliance.ts).
    const target = makeFinding(6);
    const ex = createExemption({
      resourceId: target.resourceId,
      owner: "ciso@contoso.example",
      justification: "decommissioned next sprint",
      category: "waiver",
      expiresOn: "2027-01-31",
      createdBy: "cli-user",
      now: NOW,
    });
    await saveExemptions(t.store, [ex]);
    await applyStoredExemptions(t.store, NOW);
    await settle();

    const list = (await get("/api/v1/exemptions")).json().items;
    expect(list.find((e: { id: string }) => e.id === ex.id)).toMatchObject({ target: "resource", resourceId: target.resourceId, createdBy: "cli-user" });
    expect((await get(`/api/v1/exemptions?findingId=${target.id}`)).json().items.map((e: { id: string }) => e.id)).toEqual([ex.id]);
    expect((await get(`/api/v1/findings/${target.id}`)).json().finding.exemption.id).toBe(ex.id);
    expect((await get("/api/v1/findings?exempt=true")).json().items.map((x: { id: string }) => x.id).sort()).toEqual([
      "F-000000000004",
      target.id,
    ]);

    // A token scoped to the other subscription cannot remove it (it does not exist for it).
    const other = target.subscriptionId === SUB_A ? SUB_B : SUB_A;
    const { token } = await t.app.clarion.tokens.create({ name: "scoped-approver", role: "approver", scope: other });
    const denied = await t.app.inject({ method: "DELETE", url: `/api/v1/exemptions/${ex.id}`, headers: { authorization: `Bearer ${token}` } });
    expect(denied.statusCode).toBe(404);
    expect((await t.app.inject({ url: "/api/v1/exemptions", headers: { authorization: `Bearer ${token}` } })).json().items).toEqual([]);
    expect((await t.app.inject({ method: "DELETE", url: `/api/v1/exemptions/${ex.id}`, headers: t.auth("viewer") })).statusCode).toBe(403);

    const del = await t.app.inject({ method: "DELETE", url: `/api/v1/exemptions/${ex.id}`, headers: t.auth("approver") });
    expect(del.statusCode, del.body).toBe(200);
    expect(del.json()).toMatchObject({ id: ex.id, target: "resource" });
    expect(del.json().revokedAt).toBeTruthy();
    expect((await loadExemptions(t.store)).map((e) => e.id)).not.toContain(ex.id);
    expect((await t.store.getFinding(target.id))?.exemption).toBeNull();
    expect((await get(`/api/v1/findings/${target.id}`)).json().finding.exemption).toBeNull();
    expect((await get("/api/v1/findings?exempt=true")).json().total).toBe(1);
    expect((await t.app.inject({ method: "DELETE", url: `/api/v1/exemptions/${ex.id}`, headers: t.auth("approver") })).statusCode).toBe(404);
    const audit = await t.store.listAudit();
    expect(audit.find((e) => e.action === "exemption.removed" && e.subject === ex.id)?.actor).toBe("approver-user");
    expect(verifyChain(audit).ok).toBe(true);
  });

  it("an expired exemption no longer counts as exempt", async () => {
    const later = await testServer(4, { now: () => new Date("2027-06-01T00:00:00.000Z"), ...store });
    try {
      const ex = createExemption({
        findingId: "F-000000000001",
        owner: "o@contoso.example",
        justification: "accepted until the migration",
        category: "waiver",
        expiresOn: "2027-02-01",
        createdBy: "cli-user",
        now: NOW,
      });
      await saveExemptions(later.store, [ex]);
      await applyStoredExemptions(later.store, NOW); // written while it was in force
      await settle();
      const h = { headers: later.auth("viewer") };
      expect((await later.app.inject({ url: "/api/v1/findings?exempt=true", ...h })).json().total).toBe(0);
      expect((await later.app.inject({ url: "/api/v1/findings/F-000000000001", ...h })).json().finding.exemption).toBeNull();
      const listed = (await later.app.inject({ url: "/api/v1/exemptions", ...h })).json().items;
      expect(listed.map((e: { state: string }) => e.state)).toEqual(["expired"]);
      expect((await later.app.inject({ url: "/api/v1/exemptions?active=true", ...h })).json().items).toEqual([]);
    } finally {
      await later.close();
    }
  });

  it("a new run is seen without a restart (portable data version: runs, exemptions, the server's counter)", async () => {
    const fresh = await testServer(6, { now: () => NOW, ...store });
    try {
      const h = { headers: fresh.auth("viewer") };
      expect((await fresh.app.inject({ url: "/api/v1/findings", ...h })).json().total).toBe(6);
      await fresh.store.replaceFindings([makeFinding(0), makeFinding(1)]);
      await fresh.store.saveRun({ id: "run-2", startedAt: "2026-12-05T10:00:00.000Z", finishedAt: "2026-12-05T10:01:00.000Z", source: "test" });
      await settle();
      expect((await fresh.app.inject({ url: "/api/v1/findings", ...h })).json().total).toBe(2);
      expect((await fresh.app.inject({ url: "/api/v1/findings/facets", ...h })).json().total).toBe(2);
    } finally {
      await fresh.close();
    }
  });

  it("adopts the active rows of an earlier build's server_exemptions table, then drops it", async () => {
    if (!store.backend) throw new Error("variant without a backend");
    const s = await store.backend.open();
    await s.replaceFindings([makeFinding(1), makeFinding(2)]);
    // What earlier builds created (before the 'server' feature migrations).
    await s.exec(`CREATE TABLE server_exemptions (
      id TEXT PRIMARY KEY, finding_id TEXT NOT NULL, category TEXT NOT NULL, justification TEXT NOT NULL,
      owner TEXT NOT NULL, expires_on TEXT NOT NULL, created_by TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)`);
    const row = (id: string, finding: string, revoked: string | null) => [
      id, finding, "waiver", "accepted by the risk board in November", "risk@contoso.example", "2099-01-01T00:00:00.000Z", "ana", "2026-11-01T00:00:00.000Z", revoked,
    ];
    for (const r of [row("exm-kept", "F-000000000001", null), row("exm-revoked", "F-000000000002", "2026-11-02T00:00:00.000Z")])
      await s.exec("INSERT INTO server_exemptions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", r);
    const app = await buildServer({ store: s, webDist: false });
    try {
      const adopted = await loadExemptions(s);
      expect(adopted.map((e) => e.id)).toEqual(["exm-kept"]);
      expect(adopted[0]).toMatchObject({ target: "finding", findingId: "F-000000000001", owner: "risk@contoso.example", createdBy: "ana" });
      expect((await s.getFinding("F-000000000001"))?.exemption?.id).toBe("exm-kept");
      expect((await s.getFinding("F-000000000002"))?.exemption).toBeNull();
      await expect(s.query("SELECT count(*) AS n FROM server_exemptions")).rejects.toThrow();
      // A second server on the same database changes nothing.
      const again = await buildServer({ store: s, webDist: false });
      await again.close();
      expect((await loadExemptions(s)).map((e) => e.id)).toEqual(["exm-kept"]);
    } finally {
      await app.close();
    }
  });
});
