import { createHash, randomUUID } from "node:crypto";
import type { NewOutboxMessage } from "../delivery/repo";
import { ConflictError, InputError, NotAllowedError, NotFoundError } from "../domain/errors";
import type { Finding } from "../domain/finding";
import type { ArmResource } from "../domain/resource";
import { whatIf } from "../policy";
import type { Store } from "../store/store";
import { type GovernanceConfig, isAutomaticKind, phaseFor, rolesOn, subscriptionScope } from "./config";
import { executeDeploy, executeRollback, verifyDeployment } from "./deployer";
import { type Approval, type ApprovalState, canTransition, type DeploymentRecord, fixKindFor, type Role } from "./model";
import type { PolicyWriteClient } from "./policy-client";
import { type ApprovalRepo, StoreApprovalRepo } from "./repo";

/** Everything the workflow functions need; built once per request (server) or command (CLI). */
export interface WorkflowContext {
  store: Store;
  repo: ApprovalRepo;
  config: GovernanceConfig;
  /** Needed by deploy, rollback and verify. */
  policy?: PolicyWriteClient;
  now?: () => Date;
}

/**
 * Builds a context on the store's own database (SQLite or PostgreSQL: the approvals live beside the findings;
 * their tables are created on first use). Another repository can be passed as `repo`.
 */
export function openWorkflow(store: Store, config: GovernanceConfig, extra: Partial<WorkflowContext> = {}): WorkflowContext {
  return { ...extra, store, repo: extra.repo ?? new StoreApprovalRepo(store), config };
}

type Stored = Approval & { revision: number };

const nowIso = (ctx: WorkflowContext) => (ctx.now?.() ?? new Date()).toISOString();
const sha256 = (v: unknown) =>
  createHash("sha256")
    .update(typeof v === "string" ? v : JSON.stringify(v))
    .digest("hex");

export interface ActorInput {
  actor: string;
  reason?: string;
}

function requireActor(actor: string | undefined): string {
  if (!actor || !actor.trim()) throw new InputError("an actor is required (--actor NAME or CLARION_ACTOR)", { field: "actor" });
  return actor.trim();
}

async function load(ctx: WorkflowContext, id: string): Promise<Stored> {
  const a = await ctx.repo.get(id);
  if (!a) throw new NotFoundError(`no approval ${id}`, { hint: "`clarion approvals list` shows the ids" });
  return a;
}

function roleCheck(ctx: WorkflowContext, a: Approval, actor: string, to: ApprovalState): Role[] {
  const roles = rolesOn(ctx.config, actor, a.scope);
  if (!roles.some((r) => canTransition(r, a.state, to)))
    throw new NotAllowedError(
      `${actor} may not move ${a.id} from ${a.state} to ${to} on ${a.scope} (roles there: ${roles.join(", ") || "none"})`,
      {
        hint: "roles are granted per subscription or management group in the governance config's `roles` section",
      },
    );
  return roles;
}

async function audit(ctx: WorkflowContext, actor: string, action: string, a: Approval, details: Record<string, unknown>): Promise<void> {
  await ctx.store.appendAudit([
    {
      time: nowIso(ctx),
      actor,
      action,
      subject: a.id,
      digest: sha256({ ...a, revision: undefined }),
      details: { findingId: a.findingId, ...details },
    },
  ]);
}

function notifications(
  ctx: WorkflowContext,
  a: Approval,
  from: ApprovalState | null,
  to: ApprovalState,
  actor: string,
  reason: string,
): NewOutboxMessage[] {
  return ctx.config.notify.map((sink) => ({
    idempotencyKey: `${sink}:approval:${a.id}:${a.history.length}:${to}`,
    sink,
    topic: "approval.transition",
    findingId: a.findingId,
    payload: { approvalId: a.id, findingId: a.findingId, title: a.title, scope: a.scope, from, to, actor, reason, time: a.updatedAt },
  }));
}

/** Moves `a` to `to` (role already checked), saves it with its notifications atomically, and audits it. */
async function commit(
  ctx: WorkflowContext,
  a: Stored,
  to: ApprovalState,
  actor: string,
  reason: string,
  extra: Record<string, unknown> = {},
): Promise<Stored> {
  const time = nowIso(ctx);
  const from = a.state;
  const next: Stored = { ...a, state: to, updatedAt: time, history: [...a.history, { from, to, actor, time, reason }] };
  const rev = await ctx.repo.save(next, a.revision, notifications(ctx, next, from, to, actor, reason));
  await audit(ctx, actor, `approval.${to}`, next, { from, to, reason, ...extra });
  return { ...next, revision: rev };
}

// ---------------------------------------------------------------------------------------------- request

export interface RequestInput extends ActorInput {
  /** A finding id (new request) or an approval id in draft / needs-info (submit or answer). */
  id: string;
  /** Effect after the audit stage; default the strongest the draft allows (Deny, Modify, DeployIfNotExists). */
  effect?: string;
  /** false: stop at draft (default true: submit for review). */
  submit?: boolean;
}

const EFFECT_PREFERENCE = ["deny", "modify", "deployifnotexists", "audit", "auditifnotexists"];

function policyOf(f: Finding): { body: Record<string, any>; props: Record<string, any> } {
  const rem = f.remediation.find((r) => r.kind === "azure-policy");
  if (!rem) throw new InputError(`finding ${f.id} has no azure-policy remediation to deploy`, { field: "remediation" });
  let body: Record<string, any>;
  try {
    body = JSON.parse(rem.content);
  } catch (e) {
    throw new InputError(`the azure-policy remediation of ${f.id} is not JSON: ${(e as Error).message}`, { field: "remediation.content" });
  }
  const props = body.properties ?? body;
  return { body: { properties: props }, props };
}

function effectChoices(props: Record<string, any>): string[] {
  const eff = String(props.policyRule?.then?.effect ?? "");
  const m = /^\[parameters\('([^']+)'\)\]$/.exec(eff);
  if (!m) return [eff];
  return ((props.parameters?.[m[1]]?.allowedValues as string[] | undefined) ?? [props.parameters?.[m[1]]?.defaultValue ?? "Audit"]).map(
    String,
  );
}

export function effectParamName(props: Record<string, any>): string | undefined {
  return /^\[parameters\('([^']+)'\)\]$/.exec(String(props.policyRule?.then?.effect ?? ""))?.[1];
}

function pickEffect(props: Record<string, any>, wanted?: string): string {
  const choices = effectChoices(props);
  if (wanted) {
    const hit = choices.find((c) => c.toLowerCase() === wanted.toLowerCase());
    if (!hit) throw new InputError(`effect ${wanted} is not allowed by this policy (allowed: ${choices.join(", ")})`, { field: "effect" });
    return hit;
  }
  for (const p of EFFECT_PREFERENCE) {
    const hit = choices.find((c) => c.toLowerCase() === p);
    if (hit) return hit;
  }
  return choices[0] ?? "Audit";
}

/** Resources the target effect would touch under `scope` (policy what-if over the stored inventory). */
export function blastRadius(
  policy: Record<string, any>,
  effect: string,
  resources: ArmResource[],
  scope: string,
): { affected: number | null; note?: string } {
  const prefix = scope.toLowerCase();
  const inScope = resources.filter((r) => r.id.toLowerCase().startsWith(`${prefix}/`) || r.id.toLowerCase() === prefix);
  const param = effectParamName(policy.properties);
  try {
    const r = whatIf(policy, inScope, { params: param ? { [param]: effect } : {}, reasons: "none" });
    return { affected: r.counts.noncompliant + r.counts.errored };
  } catch (e) {
    return { affected: null, note: `what-if unavailable: ${(e as Error).message}` };
  }
}

function requiredApprovalsFor(ctx: WorkflowContext, affected: number | null): number {
  return affected === null || affected > ctx.config.blastRadiusLimit ? 2 : 1;
}

function policyNameFor(f: Finding): string {
  const base = (f.recommendation.packId ?? f.recommendation.id).toLowerCase().replace(/[^a-z0-9-]+/g, "-");
  return `clarion-${base}`.slice(0, 64).replace(/-+$/, "");
}

/**
 * Starts (or resubmits) an approval. From a finding: drafts the fix from its azure-policy remediation, measures
 * the blast radius with the policy what-if, and submits it for review. Refused in `explain-only` scopes.
 */
export async function requestApproval(ctx: WorkflowContext, input: RequestInput): Promise<Approval> {
  const actor = requireActor(input.actor);
  const reason = input.reason?.trim() || "requested";
  const existing = await ctx.repo.get(input.id);
  if (existing) {
    if (existing.author.toLowerCase() !== actor.toLowerCase() && !rolesOn(ctx.config, actor, existing.scope).includes("admin"))
      throw new NotAllowedError(`only the author (${existing.author}) may resubmit ${existing.id}`);
    roleCheck(ctx, existing, actor, "pending-review");
    return strip(await commit(ctx, existing, "pending-review", actor, reason));
  }
  const finding = await ctx.store.getFinding(input.id);
  if (!finding) throw new NotFoundError(`no finding or approval ${input.id}`);
  const scope = subscriptionScope(finding.subscriptionId);
  const phase = phaseFor(ctx.config, scope);
  if (phase === "explain-only")
    throw new NotAllowedError(`${scope} is in rollout phase explain-only: Clarion explains findings there but drafts no changes`);
  const open = (await ctx.repo.list({ findingId: finding.id })).find((a) => !["rejected", "rolled-back", "verified"].includes(a.state));
  if (open) throw new ConflictError(`finding ${finding.id} already has open approval ${open.id} (${open.state})`);
  const { body, props } = policyOf(finding);
  const targetEffect = pickEffect(props, input.effect);
  const br = blastRadius(body, targetEffect, await ctx.store.listResources(), scope);
  const time = nowIso(ctx);
  const draft: Stored = {
    id: `A-${randomUUID().slice(0, 8)}`,
    findingId: finding.id,
    title: `${finding.recommendation.name} — ${finding.resourceName}`,
    scope,
    subscriptionId: finding.subscriptionId,
    environment: finding.environment,
    state: "draft",
    author: actor,
    createdAt: time,
    updatedAt: time,
    policy: body,
    policyName: policyNameFor(finding),
    targetEffect,
    fixKind: fixKindFor(targetEffect),
    blastRadius: br.affected,
    ...(br.note ? { blastRadiusNote: br.note } : {}),
    requiredApprovals: requiredApprovalsFor(ctx, br.affected),
    approvals: [],
    history: [{ from: null, to: "draft", actor, time, reason }],
    revision: 0,
  };
  const roles = rolesOn(ctx.config, actor, scope);
  if (!roles.some((r) => canTransition(r, "draft", "pending-review")))
    throw new NotAllowedError(`${actor} may not request changes on ${scope} (roles there: ${roles.join(", ") || "none"})`);
  const rev = await ctx.repo.save(draft, undefined, notifications(ctx, draft, null, "draft", actor, reason));
  await audit(ctx, actor, "approval.draft", draft, {
    to: "draft",
    reason,
    phase,
    targetEffect,
    fixKind: draft.fixKind,
    blastRadius: br.affected,
    requiredApprovals: draft.requiredApprovals,
  });
  const saved = { ...draft, revision: rev };
  if (input.submit === false) return strip(saved);
  return strip(await commit(ctx, saved, "pending-review", actor, reason));
}

// ---------------------------------------------------------------------------------------------- review

/** Approves (four-eyes: never the author; above the blast-radius limit a second distinct approver is needed). */
export async function approve(ctx: WorkflowContext, id: string, input: ActorInput): Promise<Approval> {
  const actor = requireActor(input.actor);
  const a = await load(ctx, id);
  const reason = input.reason?.trim() || "approved";
  roleCheck(ctx, a, actor, "approved");
  if (a.author.toLowerCase() === actor.toLowerCase())
    throw new NotAllowedError(`four-eyes rule: ${actor} authored ${a.id} and cannot approve it`);
  if (a.approvals.some((d) => d.actor.toLowerCase() === actor.toLowerCase()))
    throw new NotAllowedError(`${actor} has already approved ${a.id}; a different approver is needed`);
  const decision = { actor, time: nowIso(ctx), reason };
  const next: Stored = { ...a, approvals: [...a.approvals, decision] };
  if (next.approvals.length >= a.requiredApprovals)
    return strip(await commit(ctx, next, "approved", actor, reason, { approvals: next.approvals.length }));
  next.updatedAt = decision.time;
  const rev = await ctx.repo.save(next, a.revision);
  await audit(ctx, actor, "approval.approval-recorded", next, {
    reason,
    approvals: next.approvals.length,
    required: a.requiredApprovals,
    why: `blast radius ${a.blastRadius ?? "unknown"} exceeds the limit ${ctx.config.blastRadiusLimit}`,
  });
  return strip({ ...next, revision: rev });
}

function needReason(reason: string | undefined, what: string): string {
  if (!reason?.trim()) throw new InputError(`a reason is required to ${what}`, { field: "--reason" });
  return reason.trim();
}

export async function reject(ctx: WorkflowContext, id: string, input: ActorInput): Promise<Approval> {
  const actor = requireActor(input.actor);
  const reason = needReason(input.reason, "reject");
  const a = await load(ctx, id);
  roleCheck(ctx, a, actor, "rejected");
  return strip(await commit(ctx, a, "rejected", actor, reason));
}

export async function requestInfo(ctx: WorkflowContext, id: string, input: ActorInput): Promise<Approval> {
  const actor = requireActor(input.actor);
  const reason = needReason(input.reason, "ask for information");
  const a = await load(ctx, id);
  roleCheck(ctx, a, actor, "needs-info");
  return strip(await commit(ctx, { ...a, approvals: [] }, "needs-info", actor, reason));
}

export async function schedule(ctx: WorkflowContext, id: string, input: ActorInput & { at?: string }): Promise<Approval> {
  const actor = requireActor(input.actor);
  const a = await load(ctx, id);
  roleCheck(ctx, a, actor, "scheduled");
  const at = input.at ?? nowIso(ctx);
  if (Number.isNaN(Date.parse(at))) throw new InputError(`not a date-time: ${at}`, { field: "at" });
  return strip(
    await commit(
      ctx,
      { ...a, scheduledFor: new Date(at).toISOString() },
      "scheduled",
      actor,
      input.reason?.trim() || `scheduled for ${at}`,
    ),
  );
}

// ---------------------------------------------------------------------------------------------- deploy

function client(ctx: WorkflowContext): PolicyWriteClient {
  if (!ctx.policy) throw new InputError("deploy needs an Azure Policy client (ARM endpoint and credentials)");
  return ctx.policy;
}

/** Why the `automatic` phase may (or may not) deploy this fix without a human approval. */
export function automaticEligibility(ctx: WorkflowContext, a: Approval): { eligible: boolean; why: string } {
  if (phaseFor(ctx.config, a.scope) !== "automatic") return { eligible: false, why: "scope is not in the automatic phase" };
  if (!isAutomaticKind(ctx.config, a.fixKind))
    return { eligible: false, why: `fix kind ${a.fixKind} is not allow-listed for automatic rollout` };
  if (a.environment === "production" || a.environment === "unknown")
    return { eligible: false, why: `environment ${a.environment}: automatic rollout only runs in known non-production scopes` };
  if (a.blastRadius === null || a.blastRadius > ctx.config.blastRadiusLimit)
    return { eligible: false, why: `blast radius ${a.blastRadius ?? "unknown"} is above the limit ${ctx.config.blastRadiusLimit}` };
  return {
    eligible: true,
    why: `automatic phase, allow-listed ${a.fixKind}, ${a.environment}, ${a.blastRadius} resource(s) ≤ ${ctx.config.blastRadiusLimit}`,
  };
}

async function refuse(ctx: WorkflowContext, a: Approval, actor: string, why: string, hint?: string): Promise<never> {
  await audit(ctx, actor, "deploy.refused", a, { reason: why });
  throw new NotAllowedError(why, { hint });
}

/**
 * Deploys an approved fix through Azure Policy: definition, assignment with the audit effect, what-if, then
 * the target effect (deny / modify / deployIfNotExists) and a remediation task for modify and DINE. The rollout
 * phase, role, schedule and blast radius are enforced here, whatever the caller's UI did.
 */
export async function deploy(ctx: WorkflowContext, id: string, input: ActorInput & { location?: string }): Promise<Approval> {
  const actor = requireActor(input.actor);
  let a = await load(ctx, id);
  const phase = phaseFor(ctx.config, a.scope);
  if (phase === "explain-only" || phase === "draft")
    await refuse(
      ctx,
      a,
      actor,
      `rollout phase of ${a.scope} is ${phase}: deploys are not allowed there`,
      "move the scope to supervised or automatic in the governance config",
    );
  const roles = rolesOn(ctx.config, actor, a.scope);
  if (!roles.some((r) => canTransition(r, "scheduled", "deployed")))
    await refuse(ctx, a, actor, `${actor} may not deploy on ${a.scope} (roles there: ${roles.join(", ") || "none"})`);
  // Re-measure the blast radius now: the estate may have changed since the request.
  const br = blastRadius(a.policy, a.targetEffect, await ctx.store.listResources(), a.scope);
  a = { ...a, blastRadius: br.affected, requiredApprovals: Math.max(a.requiredApprovals, requiredApprovalsFor(ctx, br.affected)) };
  const auto = automaticEligibility(ctx, a);
  if (auto.eligible && ["draft", "pending-review", "needs-info"].includes(a.state)) {
    if (a.state !== "pending-review") a = await commit(ctx, a, "pending-review", "rollout:automatic", auto.why);
    a = await commit(
      ctx,
      { ...a, approvals: [{ actor: "rollout:automatic", time: nowIso(ctx), reason: auto.why }] },
      "approved",
      "rollout:automatic",
      auto.why,
    );
  }
  if (a.state === "approved") {
    if (!auto.eligible && a.approvals.length < a.requiredApprovals)
      await refuse(
        ctx,
        a,
        actor,
        `blast radius ${a.blastRadius ?? "unknown"} exceeds the limit ${ctx.config.blastRadiusLimit}: ${a.requiredApprovals} approvals are needed, ${a.approvals.length} given`,
        "ask a second approver: `clarion approvals approve ID`",
      );
    a = await commit(ctx, { ...a, scheduledFor: nowIso(ctx) }, "scheduled", actor, "scheduled at deploy");
  }
  if (a.state !== "scheduled") await refuse(ctx, a, actor, `${a.id} is ${a.state}; only approved or scheduled changes can be deployed`);
  if (a.scheduledFor && Date.parse(a.scheduledFor) > (ctx.now?.() ?? new Date()).getTime())
    await refuse(ctx, a, actor, `${a.id} is scheduled for ${a.scheduledFor}`);
  if (!auto.eligible && a.approvals.length < a.requiredApprovals)
    await refuse(
      ctx,
      a,
      actor,
      `blast radius ${a.blastRadius ?? "unknown"} exceeds the limit ${ctx.config.blastRadiusLimit}: ${a.requiredApprovals} approvals are needed, ${a.approvals.length} given`,
    );
  let record: DeploymentRecord;
  try {
    record = await executeDeploy(client(ctx), a, {
      location: input.location ?? "eastus",
      resources: await ctx.store.listResources(),
      now: nowIso(ctx),
    });
  } catch (e) {
    await audit(ctx, actor, "deploy.failed", a, { error: (e as Error).message, undone: (e as { undone?: boolean }).undone ?? false });
    throw e;
  }
  return strip(
    await commit(ctx, { ...a, deployment: record }, "deployed", actor, input.reason?.trim() || `deployed ${a.targetEffect}`, {
      definitionId: record.definitionId,
      assignmentId: record.assignmentId,
      definitionVersion: record.definitionVersion,
      stages: record.stages,
      resourcesAffected: record.resourcesAffected,
      automatic: auto.eligible,
    }),
  );
}

/** Restores the state before the deploy: properties reverted, assignment removed or restored, previous definition version. */
export async function rollback(ctx: WorkflowContext, id: string, input: ActorInput): Promise<Approval> {
  const actor = requireActor(input.actor);
  const a = await load(ctx, id);
  roleCheck(ctx, a, actor, "rolled-back");
  if (!a.deployment) throw new ConflictError(`${a.id} has no deployment record to roll back`);
  const steps = await executeRollback(client(ctx), a.deployment);
  return strip(await commit(ctx, a, "rolled-back", actor, input.reason?.trim() || "rolled back", { steps }));
}

/** Checks the deployment is live as recorded (assignment, effect, remediation succeeded) and marks it verified. */
export async function verify(ctx: WorkflowContext, id: string, input: ActorInput): Promise<Approval> {
  const actor = requireActor(input.actor);
  const a = await load(ctx, id);
  roleCheck(ctx, a, actor, "verified");
  if (!a.deployment) throw new ConflictError(`${a.id} has no deployment record`);
  const problems = await verifyDeployment(client(ctx), a.deployment);
  if (problems.length) {
    await audit(ctx, actor, "verify.failed", a, { problems });
    throw new ConflictError(`deployment of ${a.id} is not as recorded: ${problems.join("; ")}`, { hint: "roll it back or redeploy" });
  }
  return strip(await commit(ctx, a, "verified", actor, input.reason?.trim() || "verified live"));
}

export async function listApprovals(ctx: WorkflowContext, filter: { state?: ApprovalState; findingId?: string } = {}): Promise<Approval[]> {
  return (await ctx.repo.list(filter)).map(strip);
}

export async function getApproval(ctx: WorkflowContext, id: string): Promise<Approval> {
  return strip(await load(ctx, id));
}

function strip(a: Stored): Approval {
  const { revision: _r, ...rest } = a;
  return rest;
}
