import type { FastifyInstance } from "fastify";
import { buildBaselines, findRootCauses, parseSince, scoreAnomalies, toChanges } from "../../changes/index";
import { frameworkCatalog } from "../../compliance/catalog";
import { NotFoundError } from "../../domain/errors";
import type { RunSummary } from "../../reports/summary";
import { principalOf, S, type ServerContext } from "../context";
import { pathIndex } from "./findings";

interface ControlStat {
  controlId: string;
  title: string | null;
  group: string;
  findings: number;
  maxRisk: number;
  findingIds: string[];
}

/** Per framework, per control: open findings mapped to it (the compliance heatmap and its drill-down). */
async function complianceIndex(ctx: ServerContext, subscriptionId?: string) {
  const sub = subscriptionId?.toLowerCase();
  return ctx.reader.cached(`compliance:${sub ?? "*"}`, async () => {
    const perControl = new Map<string, { n: number; max: number; ids: { id: string; score: number }[] }>();
    const add = (fw: string, controlId: string, id: string, score: number) => {
      const k = `${fw}\u0000${controlId}`;
      let e = perControl.get(k);
      if (!e) {
        e = { n: 0, max: 0, ids: [] };
        perControl.set(k, e);
      }
      e.n++;
      e.max = Math.max(e.max, score);
      e.ids.push({ id, score });
      if (e.ids.length > 100) e.ids = e.ids.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1)).slice(0, 50);
    };
    // Walks the documents in chunks (portable SQL; a large estate's documents do not fit in memory at once),
    // keeping only each open finding's controls.
    await ctx.reader.scan(
      ({ id, risk_score, doc }) => {
        for (const c of doc.controls ?? []) add(c.framework, c.controlId, id, risk_score);
      },
      { sql: `status = 'Unhealthy'${sub ? " AND subscription_id = ?" : ""}`, params: sub ? [sub] : [] },
    );
    // Highest risk first within each control (what the drill-down shows first).
    for (const e of perControl.values()) e.ids.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    const frameworks = frameworkCatalog().frameworks.map((fw) => {
      const controls: ControlStat[] = fw.controls.map((c) => {
        const e = perControl.get(`${fw.id}\u0000${c.controlId}`);
        return {
          controlId: c.controlId,
          title: c.title ?? null,
          group: groupOf(c.controlId, c.title),
          findings: e?.n ?? 0,
          maxRisk: e?.max ?? 0,
          findingIds: e?.ids.slice(0, 50).map((x) => x.id) ?? [],
        };
      });
      const mappedPolicies = new Set(Object.values(fw.policies).flat());
      const failing = controls.filter((c) => c.findings > 0).length;
      const assessed = controls.filter((c) => mappedPolicies.has(c.controlId)).length;
      const groups = new Map<string, { group: string; controls: number; failing: number; findings: number; maxRisk: number }>();
      for (const c of controls) {
        const g = groups.get(c.group) ?? { group: c.group, controls: 0, failing: 0, findings: 0, maxRisk: 0 };
        g.controls++;
        if (c.findings) g.failing++;
        g.findings += c.findings;
        g.maxRisk = Math.max(g.maxRisk, c.maxRisk);
        groups.set(c.group, g);
      }
      return {
        id: fw.id,
        name: fw.name,
        version: fw.version,
        controls: controls.length,
        assessed,
        failing,
        passing: Math.max(0, assessed - failing),
        findings: controls.reduce((s, c) => s + c.findings, 0),
        groups: [...groups.values()],
        detail: controls,
      };
    });
    return frameworks;
  });
}

/** A control's family for the heatmap: the catalog's section title, else the id's prefix (AC-2 -> AC, 4.1.2 -> 4). */
export function groupOf(controlId: string, title?: string | null): string {
  if (title?.includes(" · ")) return title.split(" · ")[0];
  const hitrust = /^\d{4}\.(\d{2})[a-z]/.exec(controlId); // HITRUST 0858.09m1... -> domain 09
  if (hitrust) return `Domain ${hitrust[1]}`;
  const m = /^([A-Za-z]+(?:\.\d+)?|\d+)/.exec(controlId);
  return m ? m[1].replace(/\.$/, "") : controlId;
}

export function registerInsightRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    "/api/v1/overview",
    {
      config: { permission: "read" },
      schema: {
        tags: ["overview"],
        summary: "Risk trend across runs, breakdowns, Secure Score, top risks, what changed since the last run",
      },
    },
    async (req) => {
      // A scoped token sees its subscription only: counts and top risks from the findings table, Secure Score of
      // that subscription, and no estate-wide run totals (the run summaries are not broken down per subscription).
      const scope = principalOf(req).scope?.toLowerCase();
      const inScope = (subscriptionId: string) => !scope || subscriptionId.toLowerCase() === scope;
      const runs = (await ctx.store.listRuns()).filter((r) => r.summary);
      const latest = runs[runs.length - 1];
      const previous = runs[runs.length - 2];
      const facets = await ctx.reader.facets(scope);
      const top = await ctx.reader.page({ limit: 10, status: "Unhealthy", subscriptionId: scope });
      const s = latest?.summary as RunSummary | undefined;
      const p = previous?.summary as RunSummary | undefined;
      const scoreOf = (x?: RunSummary) => avgScore(x, inScope);
      const delta = (a: Record<string, number> = {}, b: Record<string, number> = {}) =>
        Object.fromEntries([...new Set([...Object.keys(a), ...Object.keys(b)])].map((k) => [k, (a[k] ?? 0) - (b[k] ?? 0)]));
      const anomalies = await recentAnomalies(ctx).catch(() => ({ anomalies: [], since: null, until: null }));
      const scopedAnomalies = anomalies.anomalies.filter((a) => !scope || resourceInScope(a.resourceId, scope));
      return {
        latestRun: latest ? { id: latest.id, startedAt: latest.startedAt, finishedAt: latest.finishedAt, source: latest.source } : null,
        totals: {
          findings: facets.total,
          bySeverity: facets.severity,
          byLevel: facets.level,
          byFramework: facets.framework,
          byEnvironment: facets.environment,
        },
        scope: scope ?? null,
        secureScore: (s?.secureScore ?? []).filter((x) => inScope(x.subscriptionId)),
        trend: runs.map((r) => {
          const x = r.summary as RunSummary;
          return {
            runId: r.id,
            time: x.generatedAt ?? r.startedAt,
            findings: scope ? null : (x.counts?.findings ?? 0),
            byRiskLevel: scope ? {} : (x.byRiskLevel ?? {}),
            bySeverity: scope ? {} : (x.bySeverity ?? {}),
            secureScore: scoreOf(x),
          };
        }),
        topRisks: top.items,
        sinceLastRun: p
          ? {
              previousRunId: previous.id,
              findings: scope ? null : (s?.counts.findings ?? 0) - (p.counts?.findings ?? 0),
              bySeverity: scope ? {} : delta(s?.bySeverity, p.bySeverity),
              byRiskLevel: scope ? {} : delta(s?.byRiskLevel, p.byRiskLevel),
              secureScore: +(scoreOf(s) - scoreOf(p)).toFixed(4),
            }
          : null,
        anomalies: scopedAnomalies.slice(0, 5),
      };
    },
  );

  app.get(
    "/api/v1/compliance",
    {
      config: { permission: "read" },
      schema: { tags: ["compliance"], summary: "Per framework: controls failing, passing, and a per-family heatmap" },
    },
    async (req) => (await complianceIndex(ctx, principalOf(req).scope)).map(({ detail, ...fw }) => fw),
  );

  app.get(
    "/api/v1/compliance/:id",
    {
      config: { permission: "read" },
      schema: {
        tags: ["compliance"],
        summary: "One framework's controls with the findings that are evidence against each",
        params: S.idParam,
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const fw = (await complianceIndex(ctx, principalOf(req).scope)).find((f) => f.id === id);
      if (!fw) throw new NotFoundError(`no framework ${id}`, { hint: "list them at /api/v1/compliance" });
      return fw;
    },
  );

  app.get(
    "/api/v1/paths",
    {
      config: { permission: "read" },
      schema: { tags: ["paths"], summary: "Attack paths from the Internet to critical assets, with the nodes to draw them" },
    },
    async (req) => {
      // A scoped token sees the paths that lie wholly in its subscription.
      const scope = principalOf(req).scope?.toLowerCase();
      const paths = (await pathIndex(ctx)).filter(
        (p) => !scope || p.hops.every((h) => h.toLowerCase() === "internet" || resourceInScope(h, scope)),
      );
      const resources = await ctx.reader.cached("resources", () => ctx.store.listResources());
      const byId = new Map(resources.map((r) => [r.id.toLowerCase(), r]));
      const ids = new Set(paths.flatMap((p) => p.hops.map((h) => h.toLowerCase())));
      const nodes = [...ids].map((id) => {
        const r = byId.get(id);
        return { id, name: r?.name ?? id.split("/").pop() ?? id, type: r?.type ?? (id === "internet" ? "internet" : "unknown") };
      });
      return { paths, nodes };
    },
  );

  app.get(
    "/api/v1/changes",
    {
      config: { permission: "read" },
      schema: {
        tags: ["changes"],
        summary: "Change timeline (Activity Log) with anomalies scored against learned baselines",
        querystring: {
          type: "object",
          properties: { since: { type: "string", default: "7d" }, limit: { type: "integer", minimum: 1, maximum: 5000, default: 500 } },
        },
      },
    },
    async (req) => {
      const q = req.query as { since?: string; limit?: number };
      const scope = principalOf(req).scope?.toLowerCase();
      const r = await recentAnomalies(ctx, q.since ?? "7d");
      const all = await ctx.reader.cached("activity", () => ctx.store.listActivity());
      const events = scope ? all.filter((e) => resourceInScope(e.resourceId, scope)) : all;
      const recent = events.slice(-(q.limit ?? 500)).map((e) => ({
        eventId: e.eventId,
        time: e.time,
        caller: e.caller,
        operationName: e.operationName,
        resourceId: e.resourceId,
        status: e.status,
        correlationId: e.correlationId,
      }));
      const anomalies = scope ? r.anomalies.filter((a) => resourceInScope(a.resourceId, scope)) : r.anomalies;
      return { since: r.since, until: r.until, events: recent, totalEvents: events.length, anomalies };
    },
  );

  app.get(
    "/api/v1/runs",
    { config: { permission: "read" }, schema: { tags: ["runs"], summary: "Pipeline runs and the Azure sync status" } },
    async () => {
      const runs = await ctx.store.listRuns();
      const parse = async (k: string) => {
        const v = await ctx.store.getMeta(k);
        try {
          return v ? JSON.parse(v) : null;
        } catch {
          return v;
        }
      };
      return {
        runs: runs
          .map((r) => ({
            id: r.id,
            startedAt: r.startedAt,
            finishedAt: r.finishedAt ?? null,
            source: r.source,
            counts: (r.summary as RunSummary | undefined)?.counts ?? null,
          }))
          .reverse(),
        sync: { last: await parse("azure.sync.last"), checkpoint: await parse("azure.sync.checkpoint") },
      };
    },
  );
}

/** True when an ARM id (or "internet") lies in the subscription `scope` (lower-case id). */
export function resourceInScope(resourceId: string | undefined, scope: string): boolean {
  return !!resourceId && resourceId.toLowerCase().startsWith(`/subscriptions/${scope}/`);
}

function avgScore(s?: RunSummary, keep: (subscriptionId: string) => boolean = () => true): number {
  const list = (s?.secureScore ?? []).filter((x) => keep(x.subscriptionId));
  return list.length ? list.reduce((a, x) => a + x.percentage, 0) / list.length : 0;
}

async function recentAnomalies(ctx: ServerContext, sinceText = "7d") {
  return ctx.reader.cached(`anomalies:${sinceText}`, async () => {
    const events = await ctx.reader.cached("activity", () => ctx.store.listActivity());
    const changes = toChanges(events);
    if (!changes.length) return { anomalies: [], since: null, until: null };
    const latest = changes[changes.length - 1].time;
    const since = parseSince(sinceText, latest);
    const tz = (await ctx.store.getMeta("timeZone")) ?? process.env.CLARION_TIME_ZONE ?? "UTC";
    const resources = await ctx.reader.cached("resources", () => ctx.store.listResources());
    const rows: { id: string; resourceId: string; status: string; statusChangeDate: string | null }[] = [];
    await ctx.reader.scan(
      ({ id, doc }) => {
        rows.push({ id, resourceId: doc.resourceId, status: doc.status, statusChangeDate: doc.statusChangeDate ?? null });
      },
      { sql: "status = 'Unhealthy'" },
    );
    const baselines = buildBaselines(changes, { timeZone: tz, until: since, resources });
    const rootCauses = findRootCauses(rows, changes, { resources });
    const anomalies = scoreAnomalies(changes, baselines, { since, resources, rootCauses });
    return { anomalies, since: new Date(since).toISOString(), until: new Date(latest).toISOString() };
  });
}
