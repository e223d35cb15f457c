import { listFeedback } from "../../ai/feedback";
import { feedbackOut } from "./workflow";
import type { FastifyInstance } from "fastify";
import { InputError, NotFoundError } from "../../domain/errors";
import type { Finding } from "../../domain/finding";
import { whatIf } from "../../policy/index";
import { principalOf, S, type ServerContext } from "../context";
import { type FindingQuery, SORT_KEYS, type SortKey } from "../data";
import { listExemptions, withEffectiveExemption } from "../exemptions";
import { incidentsForFinding } from "../incidents";
import { AUDIT_COLUMNS, rowToEvent } from "./admin";
import type { Principal } from "../rbac";

export const FINDING_ROW_SCHEMA = {
  type: "object",
  properties: {
    id: S.str,
    resourceId: S.str,
    resourceName: S.str,
    resourceType: S.str,
    resourceGroup: S.str,
    subscriptionId: S.str,
    environment: S.str,
    severity: S.str,
    status: S.str,
    recommendation: S.str,
    category: S.str,
    riskScore: S.num,
    riskLevel: S.str,
    owner: S.str,
    ownerEmail: { type: ["string", "null"] },
    frameworks: S.arr(S.str),
    exempt: S.bool,
  },
} as const;

const LIST_QUERY = {
  type: "object",
  properties: {
    severity: { type: "string", description: "comma-separated: High,Medium,Low" },
    level: { type: "string", description: "comma-separated risk levels: critical,high,medium,low" },
    status: { type: "string", enum: ["Unhealthy", "Healthy", "NotApplicable", "unhealthy", "healthy", "notapplicable"] },
    environment: { type: "string" },
    framework: { type: "string", description: "framework id, e.g. nist-800-53-r5" },
    owner: { type: "string", description: "owner name or email (exact)" },
    subscriptionId: { type: "string" },
    search: { type: "string", maxLength: 200, description: "resource or recommendation name contains, or a finding id" },
    exempt: { type: "boolean" },
    sort: { type: "string", enum: [...SORT_KEYS] },
    order: { type: "string", enum: ["asc", "desc"] },
    limit: { type: "integer", minimum: 1, maximum: 500, default: 50 },
    offset: { type: "integer", minimum: 0, default: 0 },
    cursor: { type: "string", maxLength: 200 },
  },
} as const;

type ListQuery = Record<string, string | number | boolean | undefined>;

const csv = (v: unknown) =>
  typeof v === "string" && v.trim()
    ? v
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;

/**
 * A finding the principal may see (scoped tokens see one subscription), with the compliance exemption that
 * applies to it now (the most specific unexpired one, as `clarion compliance exemptions findings` shows).
 */
export async function loadFinding(ctx: ServerContext, id: string, who: Principal): Promise<Finding> {
  const f = await ctx.store.getFinding(id);
  if (!f || (who.scope && f.subscriptionId.toLowerCase() !== who.scope)) throw new NotFoundError(`no finding ${id}`);
  return withEffectiveExemption(ctx, f);
}

export function registerFindingRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    "/api/v1/findings",
    {
      config: { permission: "read" },
      schema: {
        tags: ["findings"],
        summary: "Findings, highest risk first: filter, search, sort, page (offset or keyset cursor)",
        querystring: LIST_QUERY,
        response: {
          200: {
            type: "object",
            properties: {
              items: S.arr(FINDING_ROW_SCHEMA),
              total: S.int,
              limit: S.int,
              offset: S.int,
              nextCursor: { type: ["string", "null"] },
            },
          },
        },
      },
    },
    async (req) => {
      const q = req.query as ListQuery;
      const who = principalOf(req);
      const query: FindingQuery = {
        severity: csv(q.severity),
        level: csv(q.level),
        status: q.status as string | undefined,
        environment: q.environment as string | undefined,
        framework: q.framework as string | undefined,
        owner: q.owner as string | undefined,
        subscriptionId: who.scope ?? (q.subscriptionId as string | undefined),
        search: (q.search as string | undefined)?.trim() || undefined,
        exempt: q.exempt as boolean | undefined,
        sort: q.sort as SortKey | undefined,
        order: q.order as "asc" | "desc" | undefined,
        limit: q.limit as number | undefined,
        offset: q.offset as number | undefined,
        cursor: q.cursor as string | undefined,
      };
      return ctx.reader.page(query);
    },
  );

  app.get(
    "/api/v1/findings/facets",
    {
      config: { permission: "read" },
      schema: { tags: ["findings"], summary: "Counts per severity, risk level, environment, framework, subscription; the owners list" },
    },
    async (req) => ctx.reader.facets(principalOf(req).scope),
  );

  app.get(
    "/api/v1/findings/:id",
    {
      config: { permission: "read" },
      schema: {
        tags: ["findings"],
        summary:
          "One finding: dossier, explanation with citations, risk factors, remediation in every format with rollback, controls, attack paths, root cause",
        params: S.idParam,
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const who = principalOf(req);
      const f = await loadFinding(ctx, id, who);
      const paths = f.attackPaths.length ? (await pathIndex(ctx)).filter((p) => f.attackPaths.includes(p.id)) : [];
      const approvals = await ctx.workflow.list(who, { findingId: f.id });
      return { finding: f, attackPaths: paths, approvals, incidents: await incidentsForFinding(ctx.store, f.id) };
    },
  );

  app.get(
    "/api/v1/findings/:id/whatif",
    {
      config: { permission: "read" },
      schema: {
        tags: ["findings"],
        summary: "Policy what-if: what the drafted Azure Policy would flag or deny across the stored estate if assigned today",
        params: S.idParam,
        querystring: {
          type: "object",
          properties: {
            effect: { type: "string", enum: ["Audit", "Deny", "Disabled", "AuditIfNotExists", "DeployIfNotExists", "Modify"] },
          },
        },
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const { effect } = req.query as { effect?: string };
      const f = await loadFinding(ctx, id, principalOf(req));
      const draft = f.remediation.find((r) => r.kind === "azure-policy");
      if (!draft) throw new NotFoundError(`finding ${id} has no Azure Policy draft to what-if`);
      let policy: { properties?: { parameters?: Record<string, { allowedValues?: unknown[] }> } };
      try {
        policy = JSON.parse(draft.content);
      } catch (e) {
        throw new InputError(`the Azure Policy draft of ${id} is not JSON: ${(e as Error).message}`, { field: "remediation.azure-policy" });
      }
      const resources = await ctx.reader.cached("resources", () => ctx.store.listResources());
      const params: Record<string, unknown> = {};
      if (effect && policy.properties?.parameters?.effect) params.effect = effect;
      const r = whatIf(policy, resources, { params, now: ctx.now().toISOString(), reasons: "noncompliant" });
      const nonCompliant = r.resources.filter((x) => x.result === "noncompliant");
      return {
        findingId: id,
        policy: r.policy,
        mode: r.mode,
        effect: r.effect,
        evaluated: r.evaluated,
        counts: r.counts,
        impact: r.impact,
        complianceDelta: r.complianceDelta,
        bySubscription: r.bySubscription,
        byEnvironment: r.byEnvironment,
        includesThisResource: nonCompliant.some((x) => x.id.toLowerCase() === f.resourceId.toLowerCase()),
        sample: nonCompliant.slice(0, 25),
        warnings: r.warnings,
        allowedEffects: policy.properties?.parameters?.effect?.allowedValues ?? [],
      };
    },
  );

  app.get(
    "/api/v1/findings/:id/history",
    {
      config: { permission: "audit:read" },
      schema: { tags: ["findings"], summary: "Audit events, approvals, exemptions and feedback about one finding", params: S.idParam },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const who = principalOf(req);
      await loadFinding(ctx, id, who);
      const approvals = await ctx.workflow.list(who, { findingId: id });
      const incidents = await incidentsForFinding(ctx.store, id);
      const exemptions = await listExemptions(ctx, who, { findingId: id });
      // The finding's own events, its approvals' transitions (subject = approval id), its Sentinel incidents, the
      // exemptions that cover it, and exemption events that name it (a removed exemption's record is gone).
      const subjects = [id, ...approvals.map((a) => a.id), ...incidents.map((i) => i.incidentArmId), ...exemptions.map((e) => e.id)];
      const audit = (
        await ctx.store.query<Record<string, unknown>>(
          `SELECT ${AUDIT_COLUMNS} FROM audit WHERE subject IN (${subjects.map(() => "?").join(", ")}) OR (action LIKE ? AND details LIKE ?) ORDER BY seq`,
          [...subjects, "exemption.%", `%${JSON.stringify({ findingId: id }).slice(1, -1)}%`],
        )
      ).map((r) => {
        const e = rowToEvent(r);
        return { seq: e.seq, time: e.time, actor: e.actor, action: e.action, details: e.details, hash: e.hash };
      });
      const feedback = (await listFeedback(ctx.store)).filter((r) => r.subject === id).map(feedbackOut).sort((a, b) => a.created_at.localeCompare(b.created_at));
      return { findingId: id, audit, approvals, incidents, exemptions, feedback };
    },
  );
}

/** Attack paths over the stored estate, cached until the data changes. */
export async function pathIndex(ctx: ServerContext) {
  return ctx.reader.cached("paths", async () => {
    const { findAttackPaths } = await import("../../graph/index");
    const { loadKevFromStore } = await import("../../feeds/kev");
    await loadKevFromStore(ctx.store).catch(() => undefined);
    const [resources, alerts] = await Promise.all([
      ctx.reader.cached("resources", () => ctx.store.listResources()),
      ctx.store.listAlerts(),
    ]);
    const subAssessments = JSON.parse((await ctx.store.getMeta("subAssessments")) ?? "[]");
    return findAttackPaths(resources, { alerts, subAssessments, now: ctx.now(), topPerTarget: 3 });
  });
}
