import { ConflictError, InputError, NotFoundError } from "../domain/errors";
import type { Store } from "../store/store";
import {
  type Approval,
  type ApprovalState,
  approve,
  deploy,
  type GovernanceConfig,
  getApproval,
  listApprovals,
  loadGovernanceConfig,
  openWorkflow,
  PolicyWriteClient,
  phaseFor,
  reject,
  requestApproval,
  requestInfo,
  rollback,
  schedule,
  StoreApprovalRepo,
  TRANSITIONS,
  verify,
  type WorkflowContext,
} from "../workflow";
import type { Principal } from "./rbac";
import type { ApprovalFilter, ApprovalView, WorkflowPort } from "./workflow-port";

export interface EngineWorkflowOptions {
  store: Store;
  /** Roles per scope, rollout phases, blast-radius limit (default: loadGovernanceConfig(), i.e. the env/file). */
  governance?: GovernanceConfig;
  /** Azure Policy client for deploy, rollback and verify; default one from the environment, made on first use. */
  policy?: PolicyWriteClient | (() => PolicyWriteClient);
  now?: () => Date;
}

const norm = (s: string) => s.toLowerCase();

/**
 * The server's approval workflow on top of src/workflow (the one state machine, rollout phases, four-eyes,
 * blast radius, deploy and rollback through Azure Policy). The acting user is always the authenticated
 * principal. Its roles for the engine are, in order:
 *  1. the governance config's `roles` for that principal name, when it has any (scoped grants; the route's
 *     permission is still checked first, so the effective right is the intersection of both);
 *  2. otherwise the principal's server role, on its token scope (`/subscriptions/{scope}`) or on `/`.
 */
export class EngineWorkflow implements WorkflowPort {
  readonly governance: GovernanceConfig;
  private readonly repo: StoreApprovalRepo;
  private policyClient?: PolicyWriteClient;
  private ownsPolicy = false;

  constructor(private readonly o: EngineWorkflowOptions) {
    this.governance = o.governance ?? loadGovernanceConfig();
    this.repo = new StoreApprovalRepo(o.store);
    if (o.policy instanceof PolicyWriteClient) this.policyClient = o.policy;
  }

  /** The governance config as the engine should see it for this caller. */
  configFor(p: Principal): GovernanceConfig {
    const explicit = this.governance.roles.some((r) => norm(r.principal) === norm(p.name));
    if (explicit) return this.governance;
    const scope = p.scope ? `/subscriptions/${p.scope}` : "/";
    return { ...this.governance, roles: [...this.governance.roles, { principal: p.name, role: p.role, scopes: [scope] }] };
  }

  private policy(): PolicyWriteClient {
    if (!this.policyClient) {
      const make = this.o.policy;
      this.policyClient = typeof make === "function" ? make() : new PolicyWriteClient();
      this.ownsPolicy = true;
    }
    return this.policyClient;
  }

  private ctx(p: Principal, withPolicy = false): WorkflowContext {
    return openWorkflow(this.o.store, this.configFor(p), {
      repo: this.repo,
      now: this.o.now,
      ...(withPolicy ? { policy: this.policy() } : {}),
    });
  }

  private visible(p: Principal, a: Approval): boolean {
    return !p.scope || norm(a.subscriptionId) === norm(p.scope);
  }

  /** Loads an approval the caller may see (404 otherwise) and refuses an edge the state machine lacks (409). */
  private async load(p: Principal, id: string, to?: ApprovalState): Promise<Approval> {
    const a = await getApproval(this.ctx(p), id).catch((e) => {
      throw e instanceof NotFoundError ? new NotFoundError(`no approval ${id}`) : e;
    });
    if (!this.visible(p, a)) throw new NotFoundError(`no approval ${id}`);
    if (to && !TRANSITIONS.some((t) => t.from === a.state && t.to === to)) {
      const from = TRANSITIONS.filter((t) => t.to === to).map((t) => t.from);
      throw new ConflictError(`approval ${id} is ${a.state}; it cannot move to ${to}`, { hint: `allowed from: ${from.join(", ")}` });
    }
    return a;
  }

  private async view(list: Approval[]): Promise<ApprovalView[]> {
    if (!list.length) return [];
    const ids = [...new Set(list.map((a) => a.findingId))];
    const info = new Map<string, { resource_name: string | null; recommendation_name: string | null; risk_score: number }>();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = await this.o.store.query<{ id: string; resource_name: string | null; recommendation_name: string | null; risk_score: number }>(
        `SELECT id, resource_name, recommendation_name, risk_score FROM findings WHERE id IN (${chunk.map(() => "?").join(", ")})`,
        chunk,
      );
      for (const r of rows) info.set(r.id, r);
    }
    return list.map((a) => {
      const f = info.get(a.findingId);
      return {
        ...a,
        phase: phaseFor(this.governance, a.scope),
        resourceName: f?.resource_name ?? null,
        recommendation: f?.recommendation_name ?? null,
        riskScore: f?.risk_score ?? null,
      };
    });
  }

  private async one(a: Approval): Promise<ApprovalView> {
    return (await this.view([a]))[0];
  }

  async request(by: Principal, input: { findingId: string; effect?: string; reason?: string; submit?: boolean }): Promise<ApprovalView> {
    const f = await this.o.store.getFinding(input.findingId);
    if (!f || (by.scope && norm(f.subscriptionId) !== norm(by.scope))) throw new NotFoundError(`no finding ${input.findingId}`);
    return this.one(
      await requestApproval(this.ctx(by), {
        id: f.id,
        actor: by.name,
        reason: input.reason,
        effect: input.effect,
        submit: input.submit,
      }),
    );
  }

  async resubmit(by: Principal, id: string, reason: string): Promise<ApprovalView> {
    if (!reason?.trim()) throw new InputError("an answer is needed", { field: "comment" });
    await this.load(by, id, "pending-review");
    return this.one(await requestApproval(this.ctx(by), { id, actor: by.name, reason }));
  }

  async approve(by: Principal, id: string, reason?: string): Promise<ApprovalView> {
    await this.load(by, id, "approved");
    return this.one(await approve(this.ctx(by), id, { actor: by.name, reason }));
  }

  async reject(by: Principal, id: string, reason: string): Promise<ApprovalView> {
    await this.load(by, id, "rejected");
    return this.one(await reject(this.ctx(by), id, { actor: by.name, reason }));
  }

  async requestInfo(by: Principal, id: string, question: string): Promise<ApprovalView> {
    await this.load(by, id, "needs-info");
    return this.one(await requestInfo(this.ctx(by), id, { actor: by.name, reason: question }));
  }

  async schedule(by: Principal, id: string, input: { at?: string; reason?: string }): Promise<ApprovalView> {
    await this.load(by, id, "scheduled");
    return this.one(await schedule(this.ctx(by), id, { actor: by.name, ...input }));
  }

  async deploy(by: Principal, id: string, input: { reason?: string; location?: string }): Promise<ApprovalView> {
    const a = await this.load(by, id);
    // Draft / pending states go to the engine too: the automatic phase may deploy them, and its refusal is audited.
    if (["rejected", "deployed", "verified", "rolled-back"].includes(a.state))
      throw new ConflictError(`approval ${id} is ${a.state}; it cannot be deployed`, { hint: "request a new approval" });
    return this.one(await deploy(this.ctx(by, true), id, { actor: by.name, ...input }));
  }

  async rollback(by: Principal, id: string, reason?: string): Promise<ApprovalView> {
    await this.load(by, id, "rolled-back");
    return this.one(await rollback(this.ctx(by, true), id, { actor: by.name, reason }));
  }

  async verify(by: Principal, id: string, reason?: string): Promise<ApprovalView> {
    await this.load(by, id, "verified");
    return this.one(await verify(this.ctx(by, true), id, { actor: by.name, reason }));
  }

  async list(by: Principal, filter: ApprovalFilter = {}): Promise<ApprovalView[]> {
    const all = (await listApprovals(this.ctx(by), filter)).filter((a) => this.visible(by, a));
    // Newest activity first; the queue shows at most 1000.
    all.sort((x, y) => (x.updatedAt < y.updatedAt ? 1 : x.updatedAt > y.updatedAt ? -1 : 0));
    return this.view(all.slice(0, 1000));
  }

  async get(by: Principal, id: string): Promise<ApprovalView> {
    return this.one(await this.load(by, id));
  }

  close(): void {
    if (this.ownsPolicy) this.policyClient?.close();
  }
}
