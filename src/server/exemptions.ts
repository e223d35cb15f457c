import { createHash } from "node:crypto";
import {
  createExemption,
  type Exemption,
  effectiveExemption,
  exemptionMatches,
  exemptionState,
  subjectOf,
  toFindingExemption,
} from "../compliance/exemptions";
import { deleteExemption, loadExemptions, saveExemptions } from "../compliance/persist";
import { InputError, NotFoundError } from "../domain/errors";
import type { Finding } from "../domain/finding";
import type { ServerContext } from "./context";
import type { Principal } from "./rbac";

/**
 * The dashboard's exemptions are compliance's exemptions (src/compliance): the same records `clarion compliance
 * exempt` and `exemptions list` work with, written onto the stored findings (`finding.exemption`) and read by gap
 * analysis and evidence packages. The API adds its own rules on top: a justification of 20+ characters and an
 * expiry within a year.
 */
export const MAX_EXEMPTION_DAYS = 366;
const MIN_JUSTIFICATION = 20;
const DAY = 86_400_000;
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** An exemption as the API returns it (the compliance record's fields, its state now, and the finding it names). */
export interface ExemptionView {
  id: string;
  target: Exemption["target"];
  findingId: string | null;
  resourceId: string | null;
  recommendationId: string | null;
  scope: string | null;
  category: string;
  justification: string;
  owner: string;
  expiresOn: string | null;
  state: "active" | "expiring" | "expired";
  source: Exemption["source"];
  createdBy: string;
  createdAt: string;
  /** Set on the answer to DELETE (the record itself is gone, as with `clarion compliance exemptions remove`). */
  revokedAt: string | null;
}

export function exemptionView(e: Exemption, now: Date, revokedAt: string | null = null): ExemptionView {
  return {
    id: e.id,
    target: e.target,
    findingId: e.findingId ?? null,
    resourceId: e.resourceId ?? null,
    recommendationId: e.recommendationId ?? null,
    scope: e.scope ?? null,
    category: e.category,
    justification: e.justification,
    owner: e.owner,
    expiresOn: e.expiresOn,
    state: exemptionState(e, now),
    source: e.source,
    createdBy: e.createdBy,
    createdAt: e.createdAt,
    revokedAt,
  };
}

/** Every exemption, cached until the data changes (adding or removing one changes the data version). */
export function allExemptions(ctx: ServerContext): Promise<Exemption[]> {
  return ctx.reader.cached("exemptions", () => loadExemptions(ctx.store));
}

/** The finding with the exemption that applies to it now (the most specific unexpired one), as compliance computes it. */
export async function withEffectiveExemption(ctx: ServerContext, f: Finding): Promise<Finding> {
  const e = effectiveExemption(await allExemptions(ctx), subjectOf(f), ctx.now());
  return { ...f, exemption: e ? toFindingExemption(e) : null };
}

const underSubscription = (armId: string | undefined, sub: string) => !!armId && armId.toLowerCase().startsWith(`/subscriptions/${sub}`);

/**
 * Whether a scoped principal may see (`write` false) or remove (`write` true) an exemption: its target lies in the
 * principal's subscription; estate-wide ones (a recommendation everywhere, a management group) are visible, not removable.
 */
async function inScope(ctx: ServerContext, who: Principal, e: Exemption, write: boolean): Promise<boolean> {
  const sub = who.scope?.toLowerCase();
  if (!sub) return true;
  if (e.findingId) {
    const f = await ctx.store.getFinding(e.findingId);
    return !!f && f.subscriptionId.toLowerCase() === sub;
  }
  if (e.resourceId) return underSubscription(e.resourceId, sub);
  if (e.scope) return underSubscription(e.scope, sub) || (!write && !/^\/subscriptions\//i.test(e.scope));
  return !write;
}

export async function listExemptions(
  ctx: ServerContext,
  who: Principal,
  q: { findingId?: string; active?: boolean },
): Promise<ExemptionView[]> {
  const now = ctx.now();
  let list = await allExemptions(ctx);
  if (q.findingId) {
    const f = await ctx.store.getFinding(q.findingId);
    if (!f || (who.scope && f.subscriptionId.toLowerCase() !== who.scope.toLowerCase())) return [];
    list = list.filter((e) => exemptionMatches(e, subjectOf(f)));
  }
  if (q.active) list = list.filter((e) => exemptionState(e, now) !== "expired");
  const visible: Exemption[] = [];
  for (const e of list) if (await inScope(ctx, who, e, false)) visible.push(e);
  return visible
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? -1 : 1))
    .slice(0, 1000)
    .map((e) => exemptionView(e, now));
}

export interface ExemptionRequest {
  findingId: string;
  category?: string;
  justification: string;
  expiresOn: string;
  owner?: string;
}

/** Exempts one finding through src/compliance, writes `finding.exemption` onto the stored finding, audits it. */
export async function grantExemption(ctx: ServerContext, who: Principal, f: Finding, b: ExemptionRequest): Promise<ExemptionView> {
  if (b.justification.trim().length < MIN_JUSTIFICATION)
    throw new InputError(`a justification needs at least ${MIN_JUSTIFICATION} characters saying why the risk is accepted`, {
      field: "justification",
    });
  const exp = Date.parse(b.expiresOn);
  const now = ctx.now();
  if (!Number.isFinite(exp)) throw new InputError(`expiresOn is not a date: '${b.expiresOn}'`, { field: "expiresOn" });
  if (exp <= now.getTime()) throw new InputError("expiresOn must be in the future", { field: "expiresOn" });
  if (exp - now.getTime() > MAX_EXEMPTION_DAYS * DAY)
    throw new InputError(`an exemption may last at most ${MAX_EXEMPTION_DAYS} days`, { field: "expiresOn" });
  const ex = createExemption({
    findingId: f.id,
    owner: b.owner?.trim() || f.owner.email || f.owner.name,
    justification: b.justification,
    category: b.category ?? "waiver",
    expiresOn: new Date(exp).toISOString(),
    createdBy: who.name,
    now,
  });
  await saveExemptions(ctx.store, [ex]);
  await reapply(ctx, [f]);
  await ctx.store.appendAudit([
    {
      time: ex.createdAt,
      actor: who.name,
      action: "exemption.created",
      subject: ex.id,
      digest: sha256(JSON.stringify(ex)),
      details: {
        findingId: f.id,
        target: ex.target,
        category: ex.category,
        owner: ex.owner,
        expiresOn: ex.expiresOn,
        justification: ex.justification,
        role: who.role,
        via: "api",
      },
    },
  ]);
  return exemptionView(ex, now);
}

/** Removes an exemption (any kind, made here or by the CLI); the findings it covered get what applies now instead. */
export async function revokeExemption(ctx: ServerContext, who: Principal, id: string): Promise<ExemptionView> {
  const e = (await loadExemptions(ctx.store)).find((x) => x.id === id);
  if (!e || !(await inScope(ctx, who, e, true))) throw new NotFoundError(`no exemption ${id}`);
  if (!(await deleteExemption(ctx.store, id))) throw new NotFoundError(`no exemption ${id}`);
  const covered: Finding[] = [];
  if (e.findingId) {
    const f = await ctx.store.getFinding(e.findingId);
    if (f) covered.push(f);
  } else await ctx.reader.scan(({ doc }) => doc.exemption?.id === id && covered.push(doc));
  await reapply(ctx, covered);
  const time = ctx.now().toISOString();
  await ctx.store.appendAudit([
    {
      time,
      actor: who.name,
      action: "exemption.removed",
      subject: id,
      digest: sha256(id),
      details: { ...(e.findingId ? { findingId: e.findingId } : {}), target: e.target, role: who.role, via: "api" },
    },
  ]);
  return exemptionView(e, ctx.now(), time);
}

/** Sets `finding.exemption` on these stored findings from the exemptions in force now; only changed ones are written. */
async function reapply(ctx: ServerContext, findings: Finding[]): Promise<void> {
  const exemptions = await loadExemptions(ctx.store);
  const now = ctx.now();
  const changed: Finding[] = [];
  for (const f of findings) {
    const e = effectiveExemption(exemptions, subjectOf(f), now);
    const exemption = e ? toFindingExemption(e) : null;
    if (JSON.stringify(exemption) !== JSON.stringify(f.exemption ?? null)) changed.push({ ...f, exemption });
  }
  if (changed.length) await ctx.store.upsertFindings(changed);
  await ctx.reader.touched();
}
