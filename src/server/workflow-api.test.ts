import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SinkSimulator } from "../../simulator/sinks/server";
import type { ArmResource } from "../domain/resource";
import { verifyChain } from "../store/audit-chain";
import { PolicyWriteClient, parseGovernanceConfig } from "../workflow";
import type { Role } from "./rbac";
import { makeResource, SUB_A, SUB_B, serverVariants, type TestServer, testServer } from "./testing";

const VARIANTS = serverVariants("server_wf");

/**
 * The approval routes over the real workflow engine (src/workflow) and the real Azure Policy client against the
 * simulator: request, four eyes, info round-trip, approve, schedule/deploy, verify, rollback, and the engine's
 * refusals (rollout phase, blast radius, scoped roles) surfaced with its reasons.
 */
let sim: SinkSimulator;
let policy: PolicyWriteClient;
const NOW = new Date("2026-12-04T12:00:00.000Z");

beforeAll(async () => {
  sim = new SinkSimulator();
  await sim.start();
  policy = new PolicyWriteClient({ armEndpoint: sim.url, token: sim.token, ca: sim.cert.cert, retry: false });
});
afterAll(async () => {
  policy?.close();
  await sim?.stop();
});

function client(t: TestServer) {
  const post = (url: string, payload: object, role: Role) => t.app.inject({ method: "POST", url, headers: t.auth(role), payload });
  const get = (url: string, role: Role = "viewer") => t.app.inject({ url, headers: t.auth(role) });
  return { post, get };
}

/** `n` extra storage accounts without secure transfer in `sub` (the estate grew). */
function extraNoncompliant(sub: string, n: number): ArmResource[] {
  return Array.from({ length: n }, (_, i) => {
    const r = makeResource(100 + i, false) as ArmResource & { id: string };
    const name = `stextra${i}`;
    return {
      ...r,
      id: `/subscriptions/${sub}/resourceGroups/rg-x/providers/Microsoft.Storage/storageAccounts/${name}`,
      name,
      subscriptionId: sub,
    };
  });
}

describe.each(VARIANTS)("approval workflow through the engine on $name", ({ opts: store }) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await testServer(40, { now: () => NOW, policy, ...store });
    sim.state = SinkSimulator.emptyState();
    sim.setResources((await t.store.listResources()) as never);
  });
  afterAll(async () => t?.close());

  it("request -> four eyes -> info round-trip -> approve -> deploy (audit, then deny) -> verify; every step audited", async () => {
    const { post, get } = client(t);
    const req = await post("/api/v1/approvals", { findingId: "F-000000000005", comment: "fix before the audit" }, "analyst");
    expect(req.statusCode, req.body).toBe(201);
    const a = req.json();
    expect(a).toMatchObject({
      state: "pending-review",
      author: "analyst-user",
      targetEffect: "Deny",
      fixKind: "policy-deny",
      phase: "supervised",
    });
    // SUB_B holds the odd findings' accounts; those with i % 4 === 1 lack secure transfer: 10 of 20.
    expect(a.blastRadius).toBe(10);
    expect(a.requiredApprovals).toBe(1);
    expect(a.resourceName).toBe("st005dev");
    expect((await post("/api/v1/approvals", { findingId: "F-000000000005" }, "analyst")).statusCode).toBe(409);
    expect((await post("/api/v1/approvals", { findingId: "F-000000000009", effect: "Modify" }, "analyst")).statusCode).toBe(400);
    expect((await post("/api/v1/approvals", { findingId: "F-nope" }, "analyst")).statusCode).toBe(404);

    // Four eyes: an admin who authored a change cannot approve it, whatever the role.
    const own = (await post("/api/v1/approvals", { findingId: "F-000000000006" }, "admin")).json();
    const selfApprove = await post(`/api/v1/approvals/${own.id}/approve`, {}, "admin");
    expect(selfApprove.statusCode).toBe(403);
    expect(selfApprove.json().error.message).toMatch(/four-eyes/);

    expect((await post(`/api/v1/approvals/${a.id}/request-info`, { comment: "" }, "approver")).statusCode).toBe(400);
    const info = await post(`/api/v1/approvals/${a.id}/request-info`, { comment: "what is the maintenance window?" }, "approver");
    expect(info.json().state).toBe("needs-info");
    // A deploy now is refused by the engine (and the refusal is audited).
    const early = await post(`/api/v1/approvals/${a.id}/deploy`, {}, "deployer");
    expect(early.statusCode).toBe(403);
    expect(early.json().error.message).toMatch(/only approved or scheduled changes can be deployed/);
    expect((await post(`/api/v1/approvals/${a.id}/approve`, {}, "approver")).statusCode).toBe(409);
    expect((await post(`/api/v1/approvals/${a.id}/provide-info`, { comment: "Sunday 02:00" }, "analyst")).json().state).toBe(
      "pending-review",
    );
    const ok = await post(`/api/v1/approvals/${a.id}/approve`, { comment: "go" }, "approver");
    expect(ok.json().state).toBe("approved");
    expect(ok.json().approvals.map((d: { actor: string }) => d.actor)).toEqual(["approver-user"]);
    expect((await post(`/api/v1/approvals/${a.id}/reject`, { comment: "too late" }, "approver")).statusCode).toBe(409);

    const dep = await post(`/api/v1/approvals/${a.id}/deploy`, { comment: "change window" }, "deployer");
    expect(dep.statusCode, dep.body).toBe(200);
    const d = dep.json();
    expect(d.state).toBe("deployed");
    expect(d.deployment.stages).toEqual(["definition", "audit", "enforce"]);
    const asg = sim.state.assignments.get(d.deployment.assignmentId.toLowerCase());
    expect(asg?.properties.parameters.effect.value).toBe("Deny");
    expect(asg?.properties.scope ?? d.deployment.scope).toContain(SUB_B);
    const ver = await post(`/api/v1/approvals/${a.id}/verify`, {}, "approver");
    expect(ver.statusCode, ver.body).toBe(200);
    expect(ver.json().state).toBe("verified");
    expect((await post(`/api/v1/approvals/${a.id}/rollback`, {}, "deployer")).statusCode).toBe(409);

    const audit = (await get(`/api/v1/audit?action=approval.&subject=${a.id}&limit=50`, "analyst")).json();
    expect(audit.items.map((e: { action: string }) => e.action).reverse()).toEqual([
      "approval.draft",
      "approval.pending-review",
      "approval.needs-info",
      "approval.pending-review",
      "approval.approved",
      "approval.scheduled",
      "approval.deployed",
      "approval.verified",
    ]);
    const byAction = new Map(audit.items.map((e: { action: string; actor: string }) => [e.action, e.actor]));
    expect(byAction.get("approval.approved")).toBe("approver-user");
    expect(byAction.get("approval.deployed")).toBe("deployer-user");
    const refused = (await get(`/api/v1/audit?action=deploy.refused&subject=${a.id}`, "analyst")).json();
    expect(refused.items).toHaveLength(1);
    expect(refused.items[0].actor).toBe("deployer-user");
    expect((await get("/api/v1/audit/verify", "analyst")).json().ok).toBe(true);
    expect(verifyChain(await t.store.listAudit()).ok).toBe(true);

    const hist = (await get("/api/v1/findings/F-000000000005/history", "analyst")).json();
    expect(hist.approvals[0].history.map((h: { to: string }) => h.to)).toContain("verified");
    expect(hist.audit.some((e: { action: string }) => e.action === "approval.deployed")).toBe(true);
    const detail = (await get("/api/v1/findings/F-000000000005")).json();
    expect(detail.approvals[0].id).toBe(a.id);
    const queue = (await get("/api/v1/approvals?state=pending-review")).json().items;
    expect(queue.map((x: { id: string }) => x.id)).toContain(own.id);
    expect(queue.map((x: { id: string }) => x.id)).not.toContain(a.id);
  });

  it("rollback restores the state before the deploy; the author is never taken from the request body", async () => {
    const { post } = client(t);
    const a = (await post("/api/v1/approvals", { findingId: "F-000000000007", actor: "someone-else", author: "x" }, "analyst")).json();
    expect(a.author).toBe("analyst-user");
    await post(`/api/v1/approvals/${a.id}/approve`, {}, "approver");
    const sch = await post(`/api/v1/approvals/${a.id}/schedule`, { at: "2026-12-04T11:00:00Z" }, "deployer");
    expect(sch.json().state).toBe("scheduled");
    const d = (await post(`/api/v1/approvals/${a.id}/deploy`, {}, "deployer")).json();
    expect(d.state).toBe("deployed");
    const key = d.deployment.assignmentId.toLowerCase();
    expect(sim.state.assignments.has(key)).toBe(true);
    const rb = await post(`/api/v1/approvals/${a.id}/rollback`, { comment: "broke uploads" }, "admin");
    expect(rb.statusCode, rb.body).toBe(200);
    expect(rb.json().state).toBe("rolled-back");
    // F-5's deploy (same policy name and subscription) came first: the rollback restores its definition version.
    expect(d.deployment.previousDefinition).not.toBeNull();
    const prevVersion = d.deployment.previousDefinition.properties.version;
    expect(d.deployment.definitionVersion).not.toBe(prevVersion);
    const defKey = [...sim.state.definitions.keys()].find((k) => k.toLowerCase() === d.deployment.definitionId.toLowerCase()) as string;
    expect(sim.state.definitions.get(defKey)?.properties.version).toBe(prevVersion);
    expect(rb.json().state).toBe("rolled-back");
    expect(rb.json().history.at(-1)).toMatchObject({ from: "deployed", to: "rolled-back", actor: "admin-user", reason: "broke uploads" });
  });
});

describe.each(VARIANTS)("engine refusals: rollout phase, blast radius, scoped roles on $name", ({ opts: store }) => {
  let t: TestServer;
  const governance = parseGovernanceConfig({
    roles: [{ principal: "approver-user", role: "approver", scopes: [`/subscriptions/${SUB_A}`] }],
    rollout: [{ scope: `/subscriptions/${SUB_A}`, phase: "draft" }],
    blastRadiusLimit: 20,
  });
  beforeAll(async () => {
    t = await testServer(40, { now: () => NOW, policy, governance, ...store });
    sim.state = SinkSimulator.emptyState();
    sim.setResources((await t.store.listResources()) as never);
  });
  afterAll(async () => t?.close());

  it("a scope in the draft phase takes approvals but refuses deploys (403, the engine's reason, audited)", async () => {
    const { post, get } = client(t);
    const a = (await post("/api/v1/approvals", { findingId: "F-000000000002" }, "analyst")).json();
    expect(a.phase).toBe("draft");
    expect(a.blastRadius).toBe(20);
    expect((await post(`/api/v1/approvals/${a.id}/approve`, {}, "approver")).json().state).toBe("approved");
    const dep = await post(`/api/v1/approvals/${a.id}/deploy`, {}, "deployer");
    expect(dep.statusCode).toBe(403);
    expect(dep.json().error.message).toMatch(/rollout phase of .* is draft/);
    expect((await get(`/api/v1/approvals/${a.id}`)).json().state).toBe("approved");
    expect((await get(`/api/v1/audit?action=deploy.refused&subject=${a.id}`, "admin")).json().total).toBe(1);
  });

  it("governance roles are scoped: approver-user approves on SUB_A only", async () => {
    const { post } = client(t);
    const b = (await post("/api/v1/approvals", { findingId: "F-000000000001" }, "analyst")).json();
    const r = await post(`/api/v1/approvals/${b.id}/approve`, {}, "approver");
    expect(r.statusCode).toBe(403);
    expect(r.json().error.message).toMatch(/approver-user may not move .*\(roles there: none\)/);
    expect((await post(`/api/v1/approvals/${b.id}/approve`, {}, "admin")).json().state).toBe("approved");
  });

  it("blast radius: the estate grew after the approval, so the deploy needs a second approver; above the limit two are needed", async () => {
    const { post } = client(t);
    const approved = (await client(t).get("/api/v1/approvals?state=approved"))
      .json()
      .items.find((x: { findingId: string }) => x.findingId === "F-000000000001");
    expect(approved.blastRadius).toBe(10);
    await t.store.replaceResources([...(await t.store.listResources()), ...extraNoncompliant(SUB_B, 11)]);
    const dep = await post(`/api/v1/approvals/${approved.id}/deploy`, {}, "deployer");
    expect(dep.statusCode).toBe(403);
    expect(dep.json().error.message).toMatch(/blast radius 21 exceeds the limit 20: 2 approvals are needed, 1 given/);

    // A new request now measures 21 > 20: two distinct approvers.
    const c = (await post("/api/v1/approvals", { findingId: "F-000000000003" }, "analyst")).json();
    expect(c.requiredApprovals).toBe(2);
    const first = (await post(`/api/v1/approvals/${c.id}/approve`, {}, "admin")).json();
    expect(first.state).toBe("pending-review");
    expect((await post(`/api/v1/approvals/${c.id}/approve`, {}, "admin")).statusCode).toBe(403);
    const { token } = await t.app.clarion.tokens.create({ name: "second-approver", role: "approver" });
    const second = await t.app.inject({
      method: "POST",
      url: `/api/v1/approvals/${c.id}/approve`,
      headers: { authorization: `Bearer ${token}` },
      payload: {},
    });
    expect(second.json().state).toBe("approved");
    sim.setResources((await t.store.listResources()) as never);
    const ok = await post(`/api/v1/approvals/${c.id}/deploy`, {}, "deployer");
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().deployment.resourcesAffected).toBe(21);
  });

  it("a subscription-scoped token sees and acts on its subscription's approvals only", async () => {
    const { post } = client(t);
    const b = (await post("/api/v1/approvals", { findingId: "F-000000000011" }, "analyst")).json();
    expect(b.subscriptionId).toBe(SUB_B);
    const { token } = await t.app.clarion.tokens.create({ name: "scoped-admin", role: "admin", scope: SUB_A });
    const h = { authorization: `Bearer ${token}` };
    expect((await t.app.inject({ url: `/api/v1/approvals/${b.id}`, headers: h })).statusCode).toBe(404);
    expect(
      (await t.app.inject({ method: "POST", url: `/api/v1/approvals/${b.id}/reject`, headers: h, payload: { comment: "no" } })).statusCode,
    ).toBe(404);
    const list = (await t.app.inject({ url: "/api/v1/approvals", headers: h })).json().items;
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((x: { subscriptionId: string }) => x.subscriptionId === SUB_A)).toBe(true);
    expect(
      (await t.app.inject({ method: "POST", url: "/api/v1/approvals", headers: h, payload: { findingId: "F-000000000013" } })).statusCode,
    ).toBe(404);
  });
});
