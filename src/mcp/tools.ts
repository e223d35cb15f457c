import { buildBaselines, displayName, FLAG_THRESHOLD, findRootCauses, parseSince, scoreAnomalies, toChanges } from "../changes";
import { frameworkCatalog } from "../compliance/catalog";
import { InputError, NotFoundError } from "../domain/errors";
import type { Finding } from "../domain/finding";
import { loadKevFromStore } from "../feeds/kev";
import { buildGraph } from "../graph/build";
import { findAttackPaths } from "../graph/paths";
import { checkDraft, draftFromFinding, draftFromText } from "../policy/draft";
import { validatePolicy, whatIf } from "../policy/index";
import type { FindingFilter, Store } from "../store/store";

/**
 * The MCP tools as plain async functions over a Store: each takes the tool's validated arguments and returns a
 * JSON-ready object (server.ts wraps it as untrusted data). All read-only except `requestApproval`, which only
 * files a request through the approval workflow (src/workflow) and never changes Azure.
 */
export interface McpContext {
  store: Store;
  /** Identity recorded on approval requests (the workflow checks its roles). */
  actor: string;
  /** Governance config file for the approval workflow (default: the workflow's own default). */
  governanceFile?: string;
  /** Fixed clock for tests. */
  now?: () => Date;
}

const MAX_PAGE = 200;

const shortId = (id: string) => id.split("/").pop() ?? id;

/** One line per finding: enough to choose, not the whole dossier. */
export function findingSummary(f: Finding) {
  return {
    id: f.id,
    resourceName: f.resourceName,
    resourceType: f.resourceType,
    resourceGroup: f.resourceGroup,
    subscriptionId: f.subscriptionId,
    environment: f.environment,
    recommendation: f.recommendation.name,
    severity: f.recommendation.severity,
    status: f.status,
    riskScore: f.risk.score,
    riskLevel: f.risk.level,
    owner: f.owner.name,
    controls: f.controls.map((c) => `${c.framework}:${c.controlId}`),
    attackPaths: f.attackPaths.length,
    exempt: f.exemption !== null,
    summary: f.explanation.summary,
  };
}

export interface ListArgs {
  severity?: string;
  framework?: string;
  owner?: string;
  status?: string;
  subscriptionId?: string;
  search?: string;
  limit?: number;
  offset?: number;
}

export async function listFindings(ctx: McpContext, a: ListArgs) {
  const limit = Math.min(Math.max(1, Math.floor(a.limit ?? 25)), MAX_PAGE);
  const offset = Math.max(0, Math.floor(a.offset ?? 0));
  const filter: FindingFilter = {
    severity: a.severity,
    framework: a.framework,
    owner: a.owner,
    status: a.status,
    subscriptionId: a.subscriptionId,
    search: a.search,
  };
  const [total, page] = await Promise.all([ctx.store.countFindings(filter), ctx.store.listFindings({ ...filter, limit, offset })]);
  return {
    total,
    offset,
    count: page.length,
    nextOffset: offset + page.length < total ? offset + page.length : null,
    findings: page.map(findingSummary),
  };
}

async function findingOrThrow(store: Store, id: string): Promise<Finding> {
  const f = await store.getFinding(id);
  if (!f) throw new NotFoundError(`no finding '${id}'`, { hint: "use list_findings to get ids" });
  return f;
}

export async function explainFinding(ctx: McpContext, a: { id: string; includeDossier?: boolean }) {
  const f = await findingOrThrow(ctx.store, a.id);
  return {
    finding: findingSummary(f),
    resourceId: f.resourceId,
    recommendation: f.recommendation,
    explanation: f.explanation,
    risk: f.risk,
    controls: f.controls,
    attackPaths: f.attackPaths,
    rootCause: f.rootCause,
    exemption: f.exemption,
    firstSeen: f.firstSeen ?? null,
    statusChangeDate: f.statusChangeDate ?? null,
    remediation: f.remediation,
    ...(a.includeDossier === false ? {} : { dossier: f.dossier ?? [] }),
  };
}

export async function draftPolicy(ctx: McpContext, a: { findingId?: string; text?: string }) {
  if (!!a.findingId === !!a.text)
    throw new InputError("give exactly one of findingId or text", { field: a.findingId ? "text" : "findingId" });
  const draft = a.findingId ? draftFromFinding(await findingOrThrow(ctx.store, a.findingId)) : draftFromText(a.text as string);
  const resources = (await ctx.store.listResources()) as unknown as Record<string, unknown>[];
  const checked = checkDraft(draft, resources, { now: ctx.now?.().toISOString() });
  const w = checked.whatIf;
  return {
    note: "a draft only: nothing was assigned. Assigning it goes through Clarion's approval workflow.",
    name: checked.name,
    source: checked.source,
    recommendedBuiltins: checked.recommendedBuiltins,
    notes: checked.notes,
    validation: checked.validation,
    whatIf: w
      ? {
          effect: w.effect,
          evaluated: w.evaluated,
          counts: w.counts,
          impact: w.impact,
          complianceDelta: w.complianceDelta,
          noncompliant: (w.resources ?? []).slice(0, 20),
        }
      : null,
    whatIfRefused: checked.whatIfRefused ?? null,
    policy: checked.policy,
  };
}

function parsePolicyArg(policy: unknown): unknown {
  if (typeof policy !== "string") return policy;
  try {
    return JSON.parse(policy);
  } catch (e) {
    throw new InputError(`policy is not valid JSON: ${(e as Error).message}`, { field: "policy" });
  }
}

export async function whatIfPolicy(ctx: McpContext, a: { policy: unknown; params?: Record<string, unknown>; maxResources?: number }) {
  const json = parsePolicyArg(a.policy);
  const v = validatePolicy(json);
  if (!v.valid) return { valid: false, errors: v.errors, warnings: v.warnings };
  if (v.notEvaluable) return { valid: true, evaluable: false, reason: v.notEvaluable, warnings: v.warnings };
  const resources = (await ctx.store.listResources()) as unknown as Record<string, unknown>[];
  const r = whatIf(json, resources, { params: a.params ?? {}, now: ctx.now?.().toISOString(), reasons: "noncompliant" });
  const max = Math.min(Math.max(0, a.maxResources ?? 50), 500);
  const affected = r.resources.filter((x) => x.result === "noncompliant" || x.result === "errored");
  return {
    valid: true,
    evaluable: true,
    policy: r.policy,
    mode: r.mode,
    effect: r.effect,
    evaluated: r.evaluated,
    counts: r.counts,
    impact: r.impact,
    complianceDelta: r.complianceDelta,
    bySubscription: r.bySubscription,
    byEnvironment: r.byEnvironment,
    warnings: [...v.warnings, ...r.warnings],
    resources: affected.slice(0, max),
    resourcesOmitted: Math.max(0, affected.length - max),
  };
}

interface GapsModule {
  analyzeGaps: typeof import("../compliance/gaps").analyzeGaps;
}
interface ComplianceContextModule {
  loadComplianceInput: typeof import("../compliance/context").loadComplianceInput;
}

/**
 * Gap analysis of one framework. Uses src/compliance's `analyzeGaps` when it is there; otherwise counts the failing
 * findings per control from the framework catalog (marked `engine: "catalog"`).
 */
export async function complianceGaps(ctx: McpContext, a: { framework?: string; includePassing?: boolean; limit?: number }) {
  const catalog = frameworkCatalog();
  const frameworks = catalog.frameworks.map((f) => ({ id: f.id, name: f.name, version: f.version }));
  if (!a.framework) return { frameworks, note: "pass one framework id to get its gaps" };
  if (!catalog.get(a.framework))
    throw new NotFoundError(`unknown framework '${a.framework}'`, { hint: `known: ${frameworks.map((f) => f.id).join(", ")}` });
  const limit = Math.min(Math.max(1, a.limit ?? 50), 500);
  const gaps = (await import("../compliance/gaps").catch(() => undefined)) as GapsModule | undefined;
  const cctx = (await import("../compliance/context").catch(() => undefined)) as ComplianceContextModule | undefined;
  if (gaps?.analyzeGaps && cctx?.loadComplianceInput) {
    const input = await cctx.loadComplianceInput(ctx.store, ctx.now?.() ?? new Date());
    const r = gaps.analyzeGaps(catalog, a.framework, input);
    const rank = (s: string) => (s === "failed" ? 0 : s === "not-assessed" ? 1 : s === "manual" ? 2 : s === "exempted" ? 3 : 4);
    const controls = r.controls
      .filter((c) => a.includePassing || (c.status !== "passed" && c.status !== "not-applicable" && c.status !== "out-of-scope"))
      .sort((x, y) => rank(x.status) - rank(y.status) || y.failing.length - x.failing.length || x.controlId.localeCompare(y.controlId));
    return {
      engine: "compliance",
      framework: r.framework,
      passesKnown: r.passesKnown,
      summary: r.summary,
      controls: controls.slice(0, limit).map((c) => ({
        controlId: c.controlId,
        title: c.title,
        status: c.status,
        reason: c.reason,
        failing: c.failing.length,
        failingResources: c.failing
          .slice(0, 5)
          .map((f) => ({ findingId: f.findingId, resourceName: f.resourceName, recommendation: f.recommendation, riskScore: f.riskScore })),
        closeWith: c.closeWith
          ? {
              initiative: c.closeWith.initiative.displayName,
              assigned: c.closeWith.initiative.assigned,
              policies: c.closeWith.policies
                .slice(0, 5)
                .map((p) => ({ name: p.name, policyDefinitionId: p.policyDefinitionId, enforcing: p.enforcing })),
            }
          : null,
      })),
      controlsOmitted: Math.max(0, controls.length - limit),
    };
  }
  // Fallback: the findings' own control mappings.
  const fw = catalog.get(a.framework)!;
  const byControl = new Map<string, Finding[]>();
  for (const f of await ctx.store.listFindings({ framework: fw.id, status: "Unhealthy" }))
    for (const c of f.controls) if (c.framework === fw.id) byControl.set(c.controlId, [...(byControl.get(c.controlId) ?? []), f]);
  const controls = [...byControl.entries()].sort((x, y) => y[1].length - x[1].length || x[0].localeCompare(y[0]));
  return {
    engine: "catalog",
    framework: { id: fw.id, name: fw.name, version: fw.version },
    controls: controls.slice(0, limit).map(([controlId, fs]) => ({
      controlId,
      status: "failed",
      failing: fs.length,
      failingResources: fs
        .slice(0, 5)
        .map((f) => ({ findingId: f.id, resourceName: f.resourceName, recommendation: f.recommendation.name, riskScore: f.risk.score })),
    })),
    controlsOmitted: Math.max(0, controls.length - limit),
  };
}

export async function attackPaths(ctx: McpContext, a: { target?: string; top?: number; limit?: number; now?: string }) {
  if (a.now && Number.isNaN(Date.parse(a.now))) throw new InputError(`now is not a date: '${a.now}'`, { field: "now" });
  await loadKevFromStore(ctx.store);
  const resources = await ctx.store.listResources();
  const paths = findAttackPaths(resources, {
    graph: buildGraph(resources),
    alerts: await ctx.store.listAlerts(),
    now: a.now ?? ctx.now?.(),
    topPerTarget: Math.min(Math.max(1, a.top ?? 3), 10),
  });
  const t = a.target?.toLowerCase();
  const hits = t ? paths.filter((p) => p.target.toLowerCase() === t || p.targetName.toLowerCase().includes(t)) : paths;
  const limit = Math.min(Math.max(1, a.limit ?? 20), 200);
  return {
    total: hits.length,
    paths: hits.slice(0, limit).map((p) => ({
      id: p.id,
      risk: p.risk,
      target: p.target,
      targetName: p.targetName,
      hops: p.hops.map(shortId),
      hopIds: p.hops,
      steps: p.steps,
      entry: p.entry,
      summary: p.summary,
      reasons: p.reasons,
      factors: p.factors,
    })),
  };
}

export async function changeAnomalies(ctx: McpContext, a: { since?: string; now?: string; minScore?: number; limit?: number }) {
  const minScore = a.minScore ?? FLAG_THRESHOLD;
  if (!Number.isFinite(minScore) || minScore < 0 || minScore > 100)
    throw new InputError(`minScore must be 0-100, got ${minScore}`, { field: "minScore" });
  const changes = toChanges(await ctx.store.listActivity());
  const latest = changes.length ? changes[changes.length - 1].time : (ctx.now?.() ?? new Date()).getTime();
  const ref = a.now ? Date.parse(a.now) : latest;
  if (!Number.isFinite(ref)) throw new InputError(`cannot read now '${a.now}'`, { field: "now" });
  const since = parseSince(a.since ?? "7d", ref);
  const timeZone = (await ctx.store.getMeta("timeZone")) ?? process.env.CLARION_TIME_ZONE ?? "UTC";
  const [resources, findings] = await Promise.all([ctx.store.listResources(), ctx.store.listFindings()]);
  const baselines = buildBaselines(changes, { timeZone, until: since, resources });
  const rootCauses = findRootCauses(findings, changes, { resources });
  const anomalies = scoreAnomalies(changes, baselines, { since, resources, rootCauses, minScore });
  const limit = Math.min(Math.max(1, a.limit ?? 50), 500);
  return {
    window: { since: new Date(since).toISOString(), timeZone },
    learnedFrom: baselines.changes,
    total: anomalies.length,
    anomalies: anomalies.slice(0, limit).map((x) => ({
      score: x.score,
      time: x.time,
      caller: x.caller,
      operation: x.operation,
      resource: displayName(x.resourceId),
      resourceId: x.resourceId,
      environment: x.environment,
      reasons: x.reasons,
      impact: x.impact,
      correlationId: x.correlationId,
    })),
  };
}

/**
 * Files an approval request for a finding's policy fix through the approval workflow (never deploys anything).
 * Loaded lazily so the read-only server does not depend on the workflow module.
 */
export async function requestApproval(ctx: McpContext, a: { findingId: string; reason: string; effect?: string; submit?: boolean }) {
  const wf = await import("../workflow/index");
  const config = wf.loadGovernanceConfig(ctx.governanceFile);
  const wctx = wf.openWorkflow(ctx.store, config, ctx.now ? { now: ctx.now } : {});
  const approval = await wf.requestApproval(wctx, {
    id: a.findingId,
    actor: ctx.actor,
    reason: `via MCP: ${a.reason}`,
    effect: a.effect,
    submit: a.submit,
  });
  return {
    note: "an approval request only: nothing changes in Azure until reviewers approve it and a deployer deploys it",
    approval: {
      id: approval.id,
      findingId: approval.findingId,
      title: approval.title,
      state: approval.state,
      scope: approval.scope,
      targetEffect: approval.targetEffect,
      fixKind: approval.fixKind,
      blastRadius: approval.blastRadius,
      requiredApprovals: approval.requiredApprovals,
      author: approval.author,
    },
  };
}
