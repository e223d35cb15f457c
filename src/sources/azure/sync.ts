import type { ArmResource } from "../../domain/resource";
import type { Store } from "../../store/store";
import type { RawTenant } from "../raw";
import { listActivityLog } from "./activity-log";
import { AzureContext, type AzureClientOptions, type OperationOptions } from "./client";
import { listAlerts } from "./defender";
import { subscriptionsOf } from "./fetch-tenant";
import { idKey, RawRowStore } from "./raw-store";
import { type AzureScope, kqlString, queryResourceGraph, queryResourceGraphPages } from "./resource-graph";

/** Raw tables kept in the store (securityresources is split by how each part can be synced incrementally). */
export const RAW_TABLES = ["resources", "containers", "assessments", "subassessments", "security", "authorization", "alerts", "activity"] as const;
export type RawTable = (typeof RAW_TABLES)[number];

const ASSESS = "microsoft.security/assessments";
const SUBASSESS = "microsoft.security/assessments/subassessments";

const CHECKPOINT = "azure.sync.checkpoint";
const LAST = "azure.sync.last";

export interface SyncProgress {
  mode: "full" | "incremental";
  step: string;
  stepIndex: number;
  steps: number;
  rows: number;
  changed: number;
  resumed: boolean;
}

export interface SyncOptions extends AzureClientOptions, OperationOptions {
  store: Store;
  scope?: AzureScope;
  /** Force a full sync (otherwise incremental when a previous sync of the same scope exists). */
  full?: boolean;
  /** A full sync is forced when the last one is older than this (default 24 h; resourcechanges keeps 14 days). */
  fullIntervalMs?: number;
  /** Re-read this much before the previous sync's start, for indexing delay (default 10 min). */
  overlapMs?: number;
  /** Activity Log window of a full sync (default 90 days). */
  activityDays?: number;
  onProgress?: (p: SyncProgress) => void;
  /**
   * Reads a sync may have in flight at once: subscriptions whose alerts / Activity Log are read together, and the
   * independent reads of an incremental sync side by side. Overlapping requests pays off only while they wait on
   * the network, so `"auto"` (the default) uses 4 while even the fastest recent answer took 10 ms or more (Azure:
   * tens to hundreds of ms) and 1 once answers come back faster (a local service, where more connections would
   * only add TLS handshakes). Rows are stored in the same order either way.
   */
  concurrency?: number | "auto";
  context?: AzureContext;
  /** Clock (tests). */
  now?: () => Date;
}

export interface SyncResult {
  mode: "full" | "incremental";
  resumed: boolean;
  generation: number;
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
  requests?: number;
  /** The fastest answer the service gave during this sync (ms): what `concurrency: "auto"` decides from. */
  fastestAnswerMs?: number;
  durationMs: number;
}

interface Checkpoint {
  gen: number;
  mode: "full" | "incremental";
  scopeKey: string;
  startedAt: string;
  since?: string;
  step: number;
  batch?: number;
  skipToken?: string;
  sub?: number;
  deleted?: string[];
  /** Names of the run's steps, so a checkpoint is never resumed against a different step list. */
  plan?: string;
}

interface LastSync {
  gen: number;
  scopeKey: string;
  startedAt: string;
  fullAt: string;
}

type StepCtx = {
  ctx: AzureContext;
  /** How long the service's recent answers took. */
  latency: LatencyMeter;
  raw: RawRowStore;
  cp: Checkpoint;
  save: () => Promise<void>;
  opts: SyncOptions;
  stats: SyncResult;
  report: (rows: number, changed: number) => void;
};

type Step = { name: string; run: (s: StepCtx) => Promise<void> };

function tally(stats: SyncResult, r: { added: number; changed: number; unchanged: number }): number {
  stats.added += r.added;
  stats.changed += r.changed;
  stats.unchanged += r.unchanged;
  return r.added + r.changed;
}

/** A paged ARG read into a table, checkpointed after each page (the page is replayed after a crash: upserts are idempotent). */
function argStep(name: string, table: RawTable, query: (cp: Checkpoint) => string, onRows?: (s: StepCtx, rows: ArmResource[]) => Promise<void>): Step {
  return {
    name,
    async run(s) {
      const resume = s.cp.batch !== undefined ? { batch: s.cp.batch, skipToken: s.cp.skipToken } : undefined;
      const pages = queryResourceGraphPages<ArmResource>(s.ctx, query(s.cp), { scope: s.opts.scope, abortSignal: s.opts.abortSignal, resume, prefetch: true });
      for await (const page of pages) {
        if (page.resultTruncated) throw new Error(`Resource Graph truncated the result of step ${name}; the query must not use limit/take`);
        if (onRows) await onRows(s, page.rows);
        else s.report(page.rows.length, tally(s.stats, await s.raw.upsert(table, page.rows, s.cp.gen)));
        s.cp.batch = page.skipToken ? page.batch : page.batch + 1;
        s.cp.skipToken = page.skipToken;
        await s.save();
      }
    },
  };
}

function sweepStep(table: RawTable): Step {
  return {
    name: `sweep ${table}`,
    async run(s) {
      s.stats.removed += await s.raw.sweep(table, s.cp.gen);
    },
  };
}

/**
 * The fastest of the last 32 answers (response durations from the pipeline's trace): the round trip with the
 * least queueing in it, so a busy client does not mistake itself for a distant service.
 */
class LatencyMeter {
  private readonly recent: number[] = [];
  add(ms: number): void {
    this.recent.push(ms);
    if (this.recent.length > 32) this.recent.shift();
  }
  floorMs(): number | undefined {
    return this.recent.length ? Math.min(...this.recent) : undefined;
  }
}

/** Below this answer time the service is local enough that overlapping requests buys nothing. */
const REMOTE_LATENCY_MS = 10;

/**
 * The reads to keep in flight for a `concurrency` setting, given the fastest recent answer time (undefined before
 * any answer: assume a remote service).
 */
export function chooseConcurrency(setting: number | "auto" | undefined, fastestAnswerMs: number | undefined): number {
  if (setting !== undefined && setting !== "auto") return Math.max(1, Math.floor(setting));
  return (fastestAnswerMs ?? REMOTE_LATENCY_MS) >= REMOTE_LATENCY_MS ? 4 : 1;
}

const concurrencyOf = (s: StepCtx) => chooseConcurrency(s.opts.concurrency, s.latency.floorMs());

/**
 * Lanes of steps that read different tables and do not depend on each other, run at once: their requests
 * overlap, which against Azure (each request waits on the network) shortens an incremental sync to the longest
 * lane; at a concurrency of 1 the lanes run one after another. Each lane runs its steps in order. Lanes keep no
 * page checkpoint of their own: a run interrupted inside the group reruns the whole group, whose reads are small
 * and whose upserts are idempotent. The group fails only after every lane has settled, so nothing is still
 * writing when the sync reports the error.
 */
function concurrently(name: string, lanes: Step[][]): Step {
  return {
    name,
    async run(s) {
      const runLane = async (lane: Step[]) => {
        const cp: Checkpoint = { ...s.cp };
        for (const step of lane) {
          cp.batch = cp.skipToken = cp.sub = undefined;
          await step.run({ ...s, cp, save: async () => {} });
        }
      };
      if (concurrencyOf(s) === 1) {
        for (const lane of lanes) await runLane(lane);
        return;
      }
      const results = await Promise.allSettled(lanes.map(runLane));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
    },
  };
}

async function subscriptions(s: StepCtx): Promise<string[]> {
  if (s.opts.scope?.subscriptions?.length) return s.opts.scope.subscriptions;
  const containers = (await s.raw.list("containers")).map((r) => r.d as ArmResource);
  return subscriptionsOf(undefined, containers);
}

/**
 * Per-subscription REST reads, checkpointed after each subscription. Up to `concurrency`
 * subscriptions are read at once (their requests overlap instead of waiting on each other); rows are stored and the checkpoint moved
 * in subscription order, so a resumed run starts at the first subscription not yet stored.
 */
function perSubscriptionStep(name: string, table: RawTable, list: (s: StepCtx, sub: string) => AsyncIterable<Record<string, unknown>>): Step {
  return {
    name,
    async run(s) {
      const subs = await subscriptions(s);
      const read = async (sub: string) => {
        const rows: Record<string, unknown>[] = [];
        for await (const r of list(s, sub)) rows.push(r);
        return rows;
      };
      const pending = new Map<number, Promise<Record<string, unknown>[]>>();
      const start = (i: number) => {
        if (i < subs.length && !pending.has(i)) {
          const p = read(subs[i]);
          p.catch(() => undefined); // awaited below in order; this only keeps an early failure from going unhandled
          pending.set(i, p);
        }
      };
      const first = s.cp.sub ?? 0;
      const width = concurrencyOf(s);
      for (let i = first; i < Math.min(subs.length, first + width); i++) start(i);
      for (let i = first; i < subs.length; i++) {
        const rows = await (pending.get(i) as Promise<Record<string, unknown>[]>);
        pending.delete(i);
        start(i + width);
        s.report(rows.length, tally(s.stats, await s.raw.upsert(table, rows, s.cp.gen)));
        s.cp.sub = i + 1;
        await s.save();
      }
    },
  };
}

const securityOther = `securityresources | where type !~ '${ASSESS}' and type !~ '${SUBASSESS}' | order by id asc`;

function fullSteps(opts: SyncOptions): Step[] {
  const days = opts.activityDays ?? 90;
  return [
    argStep("resources", "resources", () => "resources | order by id asc"),
    argStep("resource containers", "containers", () => "resourcecontainers | order by id asc"),
    argStep("assessments", "assessments", () => `securityresources | where type =~ '${ASSESS}' | order by id asc`),
    argStep("sub-assessments", "subassessments", () => `securityresources | where type =~ '${SUBASSESS}' | order by id asc`),
    argStep("scores, compliance, plans", "security", () => securityOther),
    argStep("role assignments", "authorization", () => "authorizationresources | order by id asc"),
    perSubscriptionStep("alerts", "alerts", (s, sub) => listAlerts(s.ctx, sub, { abortSignal: s.opts.abortSignal })),
    perSubscriptionStep("activity log", "activity", (s, sub) =>
      listActivityLog(s.ctx, sub, { from: new Date(Date.parse(s.cp.startedAt) - days * 86_400_000), to: new Date(s.cp.startedAt), abortSignal: s.opts.abortSignal }),
    ),
    ...RAW_TABLES.map(sweepStep),
  ];
}

function incrementalSteps(): Step[] {
  const since = (cp: Checkpoint) => `datetime(${cp.since})`;
  return [
    argStep(
      "resource changes",
      "resources",
      (cp) =>
        `resourcechanges | where todatetime(properties.changeAttributes.timestamp) > ${since(cp)} | project id, targetResourceId = tostring(properties.targetResourceId), changeType = tostring(properties.changeType), changeTime = tostring(properties.changeAttributes.timestamp) | order by id asc`,
      applyResourceChanges,
    ),
    {
      name: "cascade deletions",
      async run(s) {
        const gone = s.cp.deleted ?? [];
        if (!gone.length) return;
        // Assessment and sub-assessment ids start with their resource's id: a key-range read per deleted
        // resource, not a scan of every stored id.
        const prefixes = gone.map((id) => `${idKey(id)}/providers/microsoft.security/assessments/`);
        for (const table of ["assessments", "subassessments"] as const) {
          const doomed = (await Promise.all(prefixes.map((p) => s.raw.idsWithPrefix(table, p)))).flat();
          s.stats.removed += await s.raw.remove(table, doomed);
        }
      },
    },
    // Then every other read at once, in lanes that touch different tables. The alerts and Activity Log lanes
    // wait for the resource containers (they list the subscriptions from them).
    concurrently("security rows, containers, role assignments, alerts, activity log", [
      [
        // One securityresources query instead of three: changed assessments, changed sub-assessments and every
        // row of the small families (scores, compliance, plans), split by type into their tables.
        argStep(
          "changed security rows",
          "security",
          (cp) =>
            `securityresources | where (type =~ '${ASSESS}' and todatetime(properties.status.statusChangeDate) > ${since(cp)}) or (type =~ '${SUBASSESS}' and todatetime(properties.timeGenerated) > ${since(cp)}) or (type !~ '${ASSESS}' and type !~ '${SUBASSESS}') | order by id asc`,
          upsertSecurityRows,
        ),
        sweepStep("security"),
      ],
      [
        argStep("resource containers", "containers", () => "resourcecontainers | order by id asc"),
        sweepStep("containers"),
        concurrently("alerts, activity log", [
          [perSubscriptionStep("alerts", "alerts", (s, sub) => listAlerts(s.ctx, sub, { abortSignal: s.opts.abortSignal })), sweepStep("alerts")],
          [
            perSubscriptionStep("activity log", "activity", (s, sub) =>
              listActivityLog(s.ctx, sub, { from: new Date(s.cp.since as string), to: new Date(s.cp.startedAt), abortSignal: s.opts.abortSignal }),
            ),
          ],
        ]),
      ],
      [argStep("role assignments", "authorization", () => "authorizationresources | order by id asc"), sweepStep("authorization")],
    ]),
  ];
}

/** Upserts one page of securityresources rows into the table of each row's type. */
async function upsertSecurityRows(s: StepCtx, page: ArmResource[]): Promise<void> {
  const by: Record<"assessments" | "subassessments" | "security", ArmResource[]> = { assessments: [], subassessments: [], security: [] };
  for (const r of page) {
    const t = String(r.type).toLowerCase();
    by[t === ASSESS ? "assessments" : t === SUBASSESS ? "subassessments" : "security"].push(r);
  }
  let changed = 0;
  for (const [table, rows] of Object.entries(by) as [RawTable, ArmResource[]][]) if (rows.length) changed += tally(s.stats, await s.raw.upsert(table, rows, s.cp.gen));
  s.report(page.length, changed);
}

/** Applies one page of `resourcechanges`: the latest change per resource wins; changed resources are re-read by id. */
async function applyResourceChanges(s: StepCtx, page: ArmResource[]): Promise<void> {
  const latest = new Map<string, { id: string; type: string; time: string }>();
  for (const c of page as unknown as { targetResourceId: string; changeType: string; changeTime: string }[]) {
    const k = idKey(c.targetResourceId);
    const prev = latest.get(k);
    if (!prev || c.changeTime >= prev.time) latest.set(k, { id: c.targetResourceId, type: c.changeType, time: c.changeTime });
  }
  const wanted = [...latest.values()].filter((c) => c.type !== "Delete").map((c) => c.id);
  const found = new Set<string>();
  for (let i = 0; i < wanted.length; i += 200) {
    const chunk = wanted.slice(i, i + 200);
    const rows: ArmResource[] = [];
    const q = `resources | where id in~ (${chunk.map(kqlString).join(", ")}) | order by id asc`;
    for await (const r of queryResourceGraph<ArmResource>(s.ctx, q, { scope: s.opts.scope, abortSignal: s.opts.abortSignal })) rows.push(r);
    for (const r of rows) found.add(idKey(r.id));
    s.report(rows.length, tally(s.stats, await s.raw.upsert("resources", rows, s.cp.gen)));
  }
  // Deleted, or created and deleted again before we looked.
  const gone = [...latest.values()].filter((c) => !found.has(idKey(c.id))).map((c) => c.id);
  if (gone.length) {
    s.stats.removed += await s.raw.remove("resources", gone);
    s.cp.deleted = [...new Set([...(s.cp.deleted ?? []), ...gone.map(idKey)])];
  }
}

function planOf(mode: "full" | "incremental", opts: SyncOptions): string {
  return (mode === "full" ? fullSteps(opts) : incrementalSteps()).map((x) => x.name).join("|");
}

function scopeKeyOf(scope?: AzureScope): string {
  if (scope?.subscriptions?.length) return `subs:${[...scope.subscriptions].map((x) => x.toLowerCase()).sort().join(",")}`;
  if (scope?.managementGroup) return `mg:${scope.managementGroup.toLowerCase()}`;
  return "tenant";
}

/**
 * Synchronizes the tenant (or scope) into the store. The first run (or `full`) reads everything; later runs
 * read only what changed since the previous run: resources from ARG `resourcechanges`, assessments by
 * `status.statusChangeDate`, sub-assessments by `timeGenerated`, the Activity Log since the last run; small
 * families (scores, compliance, plans, containers, role assignments, alerts) are re-read and diffed. A
 * checkpoint after every page makes a crashed or killed run resume where it stopped.
 */
export async function syncTenant(opts: SyncOptions): Promise<SyncResult> {
  const t0 = performance.now();
  const now = opts.now ?? (() => new Date());
  const raw = new RawRowStore(opts.store);
  const scopeKey = scopeKeyOf(opts.scope);
  const last: LastSync | undefined = JSON.parse((await opts.store.getMeta(LAST)) || "null") ?? undefined;
  let cp: Checkpoint | undefined = JSON.parse((await opts.store.getMeta(CHECKPOINT)) || "null") ?? undefined;
  let resumed = false;
  // A checkpoint resumes only the same plan (scope and step list); one written by another version starts over.
  if (cp && cp.scopeKey === scopeKey && !(opts.full && cp.mode === "incremental") && cp.plan === planOf(cp.mode, opts)) resumed = true;
  else {
    const startedAt = now().toISOString();
    const stale = !last || last.scopeKey !== scopeKey || Date.parse(startedAt) - Date.parse(last.fullAt) > (opts.fullIntervalMs ?? 86_400_000);
    const mode = opts.full || stale ? "full" : "incremental";
    cp = {
      gen: (Math.max(last?.gen ?? 0, cp?.gen ?? 0)) + 1,
      mode,
      scopeKey,
      startedAt,
      since: mode === "incremental" && last ? new Date(Date.parse(last.startedAt) - (opts.overlapMs ?? 600_000)).toISOString() : undefined,
      step: 0,
      plan: planOf(mode, opts),
    };
    await opts.store.setMeta(CHECKPOINT, JSON.stringify(cp));
  }
  const checkpoint = cp;
  const steps = checkpoint.mode === "full" ? fullSteps(opts) : incrementalSteps();
  const stats: SyncResult = { mode: checkpoint.mode, resumed, generation: checkpoint.gen, added: 0, changed: 0, removed: 0, unchanged: 0, durationMs: 0 };
  const latency = new LatencyMeter();
  const ctx =
    opts.context ??
    new AzureContext({
      ...opts,
      onTrace: (e) => {
        if (e.kind === "response" && e.durationMs !== undefined) latency.add(e.durationMs);
        opts.onTrace?.(e);
      },
    });
  let rows = 0;
  let changed = 0;
  try {
    for (; checkpoint.step < steps.length; ) {
      const step = steps[checkpoint.step];
      const report = (n: number, c: number) => {
        rows += n;
        changed += c;
        opts.onProgress?.({ mode: checkpoint.mode, step: step.name, stepIndex: checkpoint.step, steps: steps.length, rows, changed, resumed });
      };
      report(0, 0);
      await step.run({ ctx, latency, raw, cp: checkpoint, opts, stats, report, save: () => opts.store.setMeta(CHECKPOINT, JSON.stringify(checkpoint)) });
      checkpoint.step++;
      checkpoint.batch = undefined;
      checkpoint.skipToken = undefined;
      checkpoint.sub = undefined;
      await opts.store.setMeta(CHECKPOINT, JSON.stringify(checkpoint));
    }
    const done: LastSync = {
      gen: checkpoint.gen,
      scopeKey,
      startedAt: checkpoint.startedAt,
      fullAt: checkpoint.mode === "full" ? checkpoint.startedAt : (last?.fullAt ?? checkpoint.startedAt),
    };
    await opts.store.setMeta(LAST, JSON.stringify(done));
    await opts.store.setMeta(CHECKPOINT, "");
  } finally {
    if (!opts.context) ctx.close();
  }
  stats.durationMs = performance.now() - t0;
  stats.fastestAnswerMs = latency.floorMs();
  return stats;
}

/** The raw tenant as last synced into the store (arrays sorted by id). */
export async function loadTenant(store: Store): Promise<RawTenant> {
  const raw = new RawRowStore(store);
  const rows = async (t: RawTable) => (await raw.list(t)).map((r) => r.d);
  const containers = (await rows("containers")) as ArmResource[];
  const resources = (await rows("resources")) as ArmResource[];
  const securityResources = [...(await rows("assessments")), ...(await rows("subassessments")), ...(await rows("security"))] as ArmResource[];
  securityResources.sort((a, b) => (idKey(a.id) < idKey(b.id) ? -1 : 1));
  return {
    tenantId: String(containers.find((c) => c.tenantId)?.tenantId ?? resources.find((r) => r.tenantId)?.tenantId ?? ""),
    resources,
    resourceContainers: containers,
    securityResources,
    authorizationResources: (await rows("authorization")) as ArmResource[],
    activityLog: await rows("activity"),
    alerts: await rows("alerts"),
  };
}
