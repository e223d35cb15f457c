import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SinkSimulator } from "../../simulator/sinks/server";
import { verifyChain } from "../store/audit-chain";
import { StoreDeliveryRepo } from "../delivery/repo";
import { parseGovernanceConfig } from "./config";
import { APPROVAL_STATES, type ApprovalState, ROLES, type Role, TRANSITIONS } from "./model";
import { PolicyWriteClient } from "./policy-client";
import { migrateWorkflow, StoreApprovalRepo } from "./repo";
import {
  approve,
  deploy,
  listApprovals,
  openWorkflow,
  reject,
  requestApproval,
  requestInfo,
  rollback,
  schedule,
  verify,
  type WorkflowContext,
} from "./service";
import { fillEstate, GOVERNANCE, PUBLIC_POLICY, SUB_DEV, SUB_PROD, storageAccount, TLS_POLICY } from "./test-fixtures";
import { testBackends } from "./test-stores";

let sim: SinkSimulator;
let client: PolicyWriteClient;

beforeAll(async () => {
  sim = new SinkSimulator();
  await sim.start();
  client = new PolicyWriteClient({ armEndpoint: sim.url, token: sim.token, ca: sim.cert.cert, retry: false });
});
afterAll(async () => {
  client.close();
  await sim.stop();
});

const prodTls = storageAccount(SUB_PROD, "stprod1", "TLS1_0", "prod");
const prodTlsOk = storageAccount(SUB_PROD, "stprod2", "TLS1_2", "prod");
const devTls = storageAccount(SUB_DEV, "stdev1", "TLS1_1", "dev");

const backends = testBackends("workflow");

describe.each(backends)("workflow on $name", (backend) => {
  afterAll(() => backend.cleanup());

  async function setup(
    config = GOVERNANCE,
    pairs: [ReturnType<typeof storageAccount>, unknown][] = [
      [prodTls, TLS_POLICY],
      [devTls, TLS_POLICY],
    ],
  ) {
    const store = await backend.open();
    await migrateWorkflow(store);
    const findings = await fillEstate(store, pairs, [prodTlsOk]);
    const ctx = openWorkflow(store, config, { policy: client, now: () => new Date("2026-01-05T10:00:00Z") });
    sim.state = SinkSimulator.emptyState();
    sim.requests.length = 0;
    sim.setResources([prodTls, prodTlsOk, devTls]);
    return { store, findings, ctx };
  }

  describe("approval workflow", () => {
    it("request -> four-eyes -> approve -> deploy (audit then modify + remediation) -> verify; every step audited", async () => {
      const { store, findings, ctx } = await setup();
      const a = await requestApproval(ctx, { id: findings[0].id, actor: "ana", reason: "old TLS on prod storage" });
      expect(a.state).toBe("pending-review");
      expect(a.targetEffect).toBe("Modify");
      expect(a.blastRadius).toBe(1);
      expect(a.requiredApprovals).toBe(1);
      // ana is an approver on the dev subscription but authored this one anyway: four-eyes is about authorship.
      await expect(approve(ctx, a.id, { actor: "ana" })).rejects.toMatchObject({ code: "NOT_ALLOWED" });
      await expect(approve(ctx, a.id, { actor: "eve" })).rejects.toThrow(/eve may not move/);
      const ok = await approve(ctx, a.id, { actor: "bob", reason: "low blast radius" });
      expect(ok.state).toBe("approved");
      const d = await deploy(ctx, a.id, { actor: "dan" });
      expect(d.state).toBe("deployed");
      expect(d.deployment?.stages).toEqual(["definition", "audit", "enforce", "remediate"]);
      const asg = sim.state.assignments.get(d.deployment?.assignmentId.toLowerCase() as string);
      expect(asg?.properties.parameters.effect.value).toBe("Modify");
      expect(asg?.identity.type).toBe("SystemAssigned");
      expect(sim.state.roleAssignments.size).toBe(1);
      // The remediation changed only the noncompliant account.
      expect(sim.resource(prodTls.id)?.properties.minimumTlsVersion).toBe("TLS1_2");
      expect(d.deployment?.reverts).toEqual([{ resourceId: prodTls.id, before: { properties: { minimumTlsVersion: "TLS1_0" } } }]);
      // The audit stage came first: the assignment was PUT with Audit before Modify.
      const puts = sim.requests
        .filter((r) => r.method === "PUT" && /policyAssignments/.test(r.path))
        .map((r) => (r.body as any).properties.parameters.effect.value);
      expect(puts).toEqual(["Audit", "Modify"]);
      const v = await verify(ctx, a.id, { actor: "dan" });
      expect(v.state).toBe("verified");
      const events = await store.listAudit();
      expect(verifyChain(events).ok).toBe(true);
      expect(events.map((e) => e.action)).toEqual([
        "approval.draft",
        "approval.pending-review",
        "approval.approved",
        "approval.scheduled",
        "approval.deployed",
        "approval.verified",
      ]);
      expect(events.every((e) => e.actor && e.time && typeof e.details.reason === "string")).toBe(true);
    });

    it("rollback restores the previous state: property reverted, assignment removed, definition removed", async () => {
      const { findings, ctx } = await setup();
      const a = await requestApproval(ctx, { id: findings[0].id, actor: "ana" });
      await approve(ctx, a.id, { actor: "cara" });
      const d = await deploy(ctx, a.id, { actor: "dan" });
      expect(sim.state.definitions.size).toBe(1);
      const r = await rollback(ctx, a.id, { actor: "dan", reason: "app broke on TLS 1.2" });
      expect(r.state).toBe("rolled-back");
      expect(sim.resource(prodTls.id)?.properties.minimumTlsVersion).toBe("TLS1_0");
      expect(sim.state.assignments.size).toBe(0);
      expect(sim.state.definitions.size).toBe(0);
      expect(sim.state.roleAssignments.size).toBe(0);
      expect(d.deployment?.previousDefinition).toBeNull();
    });

    it("rollback restores a previous definition version and a previous assignment", async () => {
      const { findings, ctx } = await setup(GOVERNANCE, [[prodTls, PUBLIC_POLICY]]);
      const scope = `/subscriptions/${SUB_PROD}`;
      const name = "clarion-storage-tls";
      await client.putDefinition(scope, name, {
        properties: { ...PUBLIC_POLICY.properties, version: "1.0.3", description: "the old one" },
      });
      await client.putAssignment(scope, name, {
        properties: {
          policyDefinitionId: PolicyWriteClient.definitionPath(scope, name),
          parameters: { effect: { value: "Audit" } },
          enforcementMode: "DoNotEnforce",
        },
      });
      const a = await requestApproval(ctx, { id: findings[0].id, actor: "ana" });
      expect(a.targetEffect).toBe("Deny");
      await approve(ctx, a.id, { actor: "bob" });
      const d = await deploy(ctx, a.id, { actor: "dan" });
      expect(d.deployment?.definitionVersion).toBe("1.0.4");
      expect(d.deployment?.stages).toEqual(["definition", "audit", "enforce"]);
      const key = d.deployment?.assignmentId.toLowerCase() as string;
      expect(sim.state.assignments.get(key)?.properties.parameters.effect.value).toBe("Deny");
      await rollback(ctx, a.id, { actor: "root" });
      const def = sim.state.definitions.get(d.deployment?.definitionId.toLowerCase() as string);
      expect(def?.properties.version).toBe("1.0.3");
      expect(def?.properties.description).toBe("the old one");
      const asg = sim.state.assignments.get(key);
      expect(asg?.properties.enforcementMode).toBe("DoNotEnforce");
      expect(asg?.properties.parameters.effect.value).toBe("Audit");
    });

    it("blast radius above the limit needs a second, distinct approver, enforced at deploy time", async () => {
      const many = [1, 2, 3, 4].map((i) => storageAccount(SUB_PROD, `stwide${i}`, "TLS1_0", "prod"));
      const { findings, ctx } = await setup(GOVERNANCE, many.map((r) => [r, TLS_POLICY] as [typeof r, unknown]).slice(0, 1));
      await ctx.store.replaceResources(many);
      sim.setResources(many);
      const a = await requestApproval(ctx, { id: findings[0].id, actor: "ana" });
      expect(a.blastRadius).toBe(4);
      expect(a.requiredApprovals).toBe(2);
      const one = await approve(ctx, a.id, { actor: "bob" });
      expect(one.state).toBe("pending-review");
      await expect(approve(ctx, a.id, { actor: "bob" })).rejects.toThrow(/already approved/);
      await expect(deploy(ctx, a.id, { actor: "dan" })).rejects.toThrow(/only approved or scheduled/);
      const two = await approve(ctx, a.id, { actor: "cara" });
      expect(two.state).toBe("approved");
      const d = await deploy(ctx, a.id, { actor: "dan" });
      expect(d.deployment?.resourcesAffected).toBe(4);
    });

    it("the estate growing after approval raises the bar at deploy time", async () => {
      const { findings, ctx } = await setup();
      const a = await requestApproval(ctx, { id: findings[0].id, actor: "ana" });
      await approve(ctx, a.id, { actor: "bob" });
      const more = [1, 2, 3].map((i) => storageAccount(SUB_PROD, `stnew${i}`, "TLS1_0", "prod"));
      await ctx.store.replaceResources([prodTls, prodTlsOk, devTls, ...more]);
      await expect(deploy(ctx, a.id, { actor: "dan" })).rejects.toThrow(/exceeds the limit 2: 2 approvals are needed, 1 given/);
      expect((await ctx.store.listAudit()).at(-1)?.action).toBe("deploy.refused");
      expect(sim.state.definitions.size).toBe(0);
    });

    it("needs-info goes back to the author, who resubmits; reject and info need a reason", async () => {
      const { findings, ctx } = await setup();
      const a = await requestApproval(ctx, { id: findings[0].id, actor: "ana" });
      await expect(requestInfo(ctx, a.id, { actor: "bob" })).rejects.toMatchObject({ code: "INPUT_INVALID" });
      const ni = await requestInfo(ctx, a.id, { actor: "bob", reason: "which apps use TLS 1.0?" });
      expect(ni.state).toBe("needs-info");
      await expect(requestApproval(ctx, { id: a.id, actor: "dan" })).rejects.toThrow(/only the author/);
      const back = await requestApproval(ctx, { id: a.id, actor: "ana", reason: "none: checked the logs" });
      expect(back.state).toBe("pending-review");
      const r = await reject(ctx, a.id, { actor: "cara", reason: "wait for the freeze to end" });
      expect(r.state).toBe("rejected");
      await expect(schedule(ctx, a.id, { actor: "dan" })).rejects.toMatchObject({ code: "NOT_ALLOWED" });
      // A new request for the same finding is possible once the old one is closed.
      const again = await requestApproval(ctx, { id: findings[0].id, actor: "ana" });
      await expect(requestApproval(ctx, { id: findings[0].id, actor: "ana" })).rejects.toMatchObject({ code: "CONFLICT" });
      expect((await listApprovals(ctx)).map((x) => x.id)).toContain(again.id);
    });

    it("transitions notify configured sinks through the outbox in the same transaction", async () => {
      const { store, findings, ctx } = await setup(parseGovernanceConfig({ ...GOVERNANCE, notify: ["teams", "slack"] }));
      const a = await requestApproval(ctx, { id: findings[0].id, actor: "ana" });
      await approve(ctx, a.id, { actor: "bob" });
      // Keys end in `:<history length>:<state>`: order by the step, as the messages were written.
      const step = (key: string) => Number(key.split(":").at(-2));
      const rows = (await new StoreDeliveryRepo(store).list()).sort((x, y) => step(x.idempotencyKey) - step(y.idempotencyKey));
      expect(rows.length).toBe(6); // draft, pending-review, approved × 2 sinks
      expect(new Set(rows.map((r) => `${r.topic}:${r.findingId}`))).toEqual(new Set([`approval.transition:${findings[0].id}`]));
      expect(rows.map((r) => (r.payload as { to: string }).to)).toEqual([
        "draft",
        "draft",
        "pending-review",
        "pending-review",
        "approved",
        "approved",
      ]);
    });
  });

  describe("concurrent writers", () => {
    it("two saves from the same revision: exactly one wins, the other gets a conflict and writes no outbox rows", async () => {
      const { store, findings, ctx } = await setup(parseGovernanceConfig({ ...GOVERNANCE, notify: ["teams"] }));
      const a = await requestApproval(ctx, { id: findings[0].id, actor: "ana" });
      // PostgreSQL: a second connection (another server process); SQLite: the same connection, queued.
      const other = backend.name === "postgres" ? await backend.reopen(store) : store;
      const repos = [ctx.repo, new StoreApprovalRepo(other)];
      const stored = await ctx.repo.get(a.id);
      if (!stored) throw new Error("not stored");
      const outcomes = await Promise.allSettled(
        ["bob", "cara"].map((actor, i) =>
          repos[i].save({ ...stored, state: "approved", updatedAt: `2026-01-05T10:0${i}:00Z` }, stored.revision, [
            { idempotencyKey: `race:${actor}`, sink: "teams", topic: "approval.transition", payload: { actor } },
          ]),
        ),
      );
      expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
      expect((outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult).reason).toMatchObject({ code: "CONFLICT" });
      const keys = (await new StoreDeliveryRepo(store).list()).map((m) => m.idempotencyKey).filter((k) => k.startsWith("race:"));
      expect(keys).toHaveLength(1);
      expect((await ctx.repo.get(a.id))?.revision).toBe(stored.revision + 1);
    });
  });

  describe("rollout phases are enforced at deploy time", () => {
    const withPhase = (phase: string, scope = `/subscriptions/${SUB_DEV}`) =>
      parseGovernanceConfig({
        ...GOVERNANCE,
        rollout: [
          { scope: `/subscriptions/${SUB_PROD}`, phase },
          { scope, phase },
        ],
      });

    it("explain-only: no change can even be requested", async () => {
      const { findings, ctx } = await setup(withPhase("explain-only"));
      await expect(requestApproval(ctx, { id: findings[0].id, actor: "ana" })).rejects.toThrow(/explain-only/);
    });

    it("draft: approved changes still cannot be deployed", async () => {
      const { findings, ctx } = await setup(withPhase("draft"));
      const a = await requestApproval(ctx, { id: findings[0].id, actor: "ana" });
      await approve(ctx, a.id, { actor: "bob" });
      await expect(deploy(ctx, a.id, { actor: "root" })).rejects.toThrow(/rollout phase .* is draft/);
      expect(sim.state.definitions.size).toBe(0);
    });

    it("automatic: an allow-listed fix in non-production deploys without a human approval, audited as such", async () => {
      const { store, findings, ctx } = await setup(withPhase("automatic"));
      const dev = findings.find((f) => f.subscriptionId === SUB_DEV);
      const a = await requestApproval(ctx, { id: dev?.id as string, actor: "ana" });
      const d = await deploy(ctx, a.id, { actor: "dan" });
      expect(d.state).toBe("deployed");
      expect(d.approvals.map((x) => x.actor)).toEqual(["rollout:automatic"]);
      expect(sim.resource(devTls.id)?.properties.minimumTlsVersion).toBe("TLS1_2");
      const auto = (await store.listAudit()).find((e) => e.action === "approval.approved");
      expect(auto?.actor).toBe("rollout:automatic");
      expect(String(auto?.details.reason)).toMatch(/allow-listed policy-modify, development/);
    });

    it("automatic: production still needs an approval", async () => {
      const { findings, ctx } = await setup(withPhase("automatic"));
      const prod = findings.find((f) => f.subscriptionId === SUB_PROD);
      const a = await requestApproval(ctx, { id: prod?.id as string, actor: "ana" });
      await expect(deploy(ctx, a.id, { actor: "dan" })).rejects.toThrow(/only approved or scheduled/);
    });

    it("automatic: a kind that is not allow-listed still needs an approval", async () => {
      const cfg = parseGovernanceConfig({ ...withPhase("automatic"), automaticFixKinds: ["policy-audit"] });
      const { findings, ctx } = await setup(cfg);
      const dev = findings.find((f) => f.subscriptionId === SUB_DEV);
      const a = await requestApproval(ctx, { id: dev?.id as string, actor: "ana" });
      await expect(deploy(ctx, a.id, { actor: "dan" })).rejects.toMatchObject({ code: "NOT_ALLOWED" });
    });
  });

  describe("role x transition matrix through the service functions", () => {
    // For every edge and every role: an actor holding only that role (on the root scope) tries the edge.
    const single = (role: Role) =>
      parseGovernanceConfig({
        ...GOVERNANCE,
        roles: [...GOVERNANCE.roles.filter((r) => r.principal !== "probe"), { principal: "probe", role, scopes: ["/"] }],
      });

    async function reach(ctx: WorkflowContext, findingId: string, state: ApprovalState): Promise<string> {
      const a = await requestApproval(ctx, { id: findingId, actor: "ana", submit: state !== "draft" });
      if (state === "draft" || state === "pending-review") return a.id;
      if (state === "needs-info") return (await requestInfo(ctx, a.id, { actor: "bob", reason: "?" })).id;
      if (state === "rejected") return (await reject(ctx, a.id, { actor: "bob", reason: "no" })).id;
      await approve(ctx, a.id, { actor: "bob" });
      if (state === "approved") return a.id;
      await schedule(ctx, a.id, { actor: "dan" });
      if (state === "scheduled") return a.id;
      await deploy(ctx, a.id, { actor: "dan" });
      if (state === "deployed") return a.id;
      if (state === "verified") return (await verify(ctx, a.id, { actor: "dan" })).id;
      return (await rollback(ctx, a.id, { actor: "dan" })).id;
    }

    const act: Record<string, (ctx: WorkflowContext, id: string) => Promise<unknown>> = {
      "pending-review": (ctx, id) => requestApproval(ctx, { id, actor: "probe" }),
      approved: (ctx, id) => approve(ctx, id, { actor: "probe" }),
      rejected: (ctx, id) => reject(ctx, id, { actor: "probe", reason: "r" }),
      "needs-info": (ctx, id) => requestInfo(ctx, id, { actor: "probe", reason: "r" }),
      scheduled: (ctx, id) => schedule(ctx, id, { actor: "probe" }),
      deployed: (ctx, id) => deploy(ctx, id, { actor: "probe" }),
      verified: (ctx, id) => verify(ctx, id, { actor: "probe" }),
      "rolled-back": (ctx, id) => rollback(ctx, id, { actor: "probe" }),
    };

    const edges = TRANSITIONS.map((t) => [t.from, t.to] as const);
    for (const role of ROLES)
      it(`${role}`, async () => {
        const { findings, ctx } = await setup(single(role), [[prodTls, TLS_POLICY]]);
        const outcome: string[] = [];
        for (const [from, to] of edges) {
          await ctx.store.replaceFindings(findings); // keep the finding
          await ctx.store.exec("DELETE FROM approvals");
          sim.state = { ...SinkSimulator.emptyState(), resources: sim.state.resources };
          sim.setResources([prodTls, prodTlsOk, devTls]);
          const id = await reach(ctx, findings[0].id, from);
          // submitting a draft or answering needs-info is the author's act: make the probe the author there
          if (from === "needs-info" || from === "draft") {
            const [row] = await ctx.store.query<{ doc: string }>("SELECT doc FROM approvals WHERE id = ?", [id]);
            await ctx.store.exec("UPDATE approvals SET author = ?, doc = ? WHERE id = ?", [
              "probe",
              JSON.stringify({ ...JSON.parse(row.doc), author: "probe" }),
              id,
            ]);
          }
          try {
            await act[to](ctx, id);
            outcome.push(`${from}>${to}`);
          } catch (e) {
            expect((e as { code?: string }).code, `${role} ${from}>${to}: ${(e as Error).message}`).toBe("NOT_ALLOWED");
          }
        }
        const expected = TRANSITIONS.filter((t) => t.roles.includes(role)).map((t) => `${t.from}>${t.to}`);
        expect(outcome.sort()).toEqual(expected.sort());
        expect(APPROVAL_STATES.length).toBe(9);
      });
  });
});
