/**
 * Drift root cause: for a finding that turned unhealthy, the change most likely to have caused it — the last
 * configuration write to the resource (or one of its child resources) before Defender recorded the state change.
 */
import type { ActivityEvent } from "../domain/records";
import type { ArmResource } from "../domain/resource";
import { type Change, shortName, toChanges } from "./model";
import { nsgsFiltering } from "./related";

export interface FindingLike {
  id: string;
  resourceId: string;
  statusChangeDate?: string | null;
  status?: string;
}

export interface RootCause {
  /** The change's correlation id. */
  changeId: string;
  /** Event ids of the change (Started, Succeeded...). */
  eventIds: string[];
  caller: string;
  /** When the change started (ISO). */
  time: string;
  operation: string;
  resourceId: string;
  /** ARM deployment that carried the change, when one shares its correlation id. */
  deployment: string | null;
  confidence: number;
  /** Other changes to the resource inside the look-back window. */
  competing: number;
  explanation: string;
}

export interface RootCauseOptions {
  /** How far before the status change to look (default 72 h). */
  lookbackHours?: number;
  /** Tolerated clock difference between Defender and the Activity Log (default 15 min). */
  skewMinutes?: number;
  /** Links below this confidence are not reported (default 0.3). */
  minConfidence?: number;
  /** Inventory: lets NSG rule changes explain findings on the VMs and NICs they filter. */
  resources?: ArmResource[];
}

/** Indirect causes (an NSG in front of a VM) count for a little less than changes to the resource itself. */
const INDIRECT = 0.85;

const CONTENT = /^\/(secrets|keys|certificates|blobservices\/[^/]+\/containers|fileservices\/[^/]+\/shares|queueservices|tableservices|queues|topics|eventhubs|consumergroups|databases\/[^/]+\/(containers|collections))\//;

/** How much a kind of operation can change a resource's security state (0..1). */
function causeWeight(c: Change): number {
  if (/\/providers\/microsoft\.resources\/tags\//.test(c.resourceKey) || c.op.startsWith("microsoft.resources/tags/")) return 0.15;
  if (c.op.startsWith("microsoft.resources/deployments/")) return 0;
  // Content inside a resource (secrets, blob containers, queues...) does not change the resource's configuration.
  if (c.resourceKey !== c.topResourceKey && CONTENT.test(c.resourceKey.slice(c.topResourceKey.length))) return 0.25;
  if (c.verb === "write") return 1;
  if (c.verb === "delete") return c.resourceKey === c.topResourceKey ? 0.2 : 0.9;
  // Actions: key listing, restarts... rarely change posture; a few do.
  if (/(regeneratekey|failover|revoke|updatesettings|setpolicy)/.test(c.op)) return 0.4;
  return 0.1;
}

function related(c: Change, findingKey: string, findingTop: string): boolean {
  return c.resourceKey === findingKey || c.resourceKey.startsWith(`${findingKey}/`) || c.topResourceKey === findingKey || (findingTop !== findingKey && c.resourceKey === findingTop);
}

function gapWeight(gapMs: number): number {
  const h = gapMs / 3_600_000;
  if (h <= 1) return 0.95;
  if (h <= 6) return 0.85;
  if (h <= 24) return 0.65;
  return 0.45;
}

/**
 * Links findings to their most likely causing change. Findings without a status change date, or with no
 * plausible change before it, get no entry.
 *
 * @example
 * const links = findRootCauses(findings.filter(f => f.status === "Unhealthy"), events);
 * links["/subscriptions/.../assessments/..."]?.caller
 */
export function findRootCauses(findings: FindingLike[], events: ActivityEvent[] | Change[], opts: RootCauseOptions = {}): Record<string, RootCause> {
  const lookback = (opts.lookbackHours ?? 72) * 3_600_000;
  const skew = (opts.skewMinutes ?? 15) * 60_000;
  const minConfidence = opts.minConfidence ?? 0.3;
  const changes = events.length && "callerKey" in (events[0] as object) ? (events as Change[]) : toChanges(events as ActivityEvent[]);
  // Index by top-level resource so each finding looks only at its own resource's changes.
  const byTop = new Map<string, Change[]>();
  const deployments = new Map<string, string>();
  for (const c of changes) {
    if (c.op === "microsoft.resources/deployments/write") deployments.set(c.correlationId.toLowerCase(), shortName(c.resourceId));
    const deploymentName = c.properties.deploymentName;
    if (typeof deploymentName === "string" && !deployments.has(c.correlationId.toLowerCase())) deployments.set(c.correlationId.toLowerCase(), deploymentName);
    const list = byTop.get(c.topResourceKey) ?? [];
    list.push(c);
    byTop.set(c.topResourceKey, list);
  }
  const nsgs = opts.resources ? nsgsFiltering(opts.resources) : undefined;
  const out: Record<string, RootCause> = {};
  for (const f of findings) {
    if (f.status && f.status !== "Unhealthy") continue;
    const at = f.statusChangeDate ? Date.parse(f.statusChangeDate) : Number.NaN;
    if (!Number.isFinite(at)) continue;
    const fk = f.resourceId.toLowerCase();
    const ftop = topOf(fk);
    const direct = (byTop.get(ftop) ?? []).filter((c) => related(c, fk, ftop));
    const viaNsg = (nsgs?.get(fk) ?? []).flatMap((n) => (byTop.get(n) ?? []).filter((c) => NSG_OP.test(c.op)));
    const candidates = [...direct.map((c) => ({ c, k: 1 })), ...viaNsg.map((c) => ({ c, k: INDIRECT }))]
      .filter(({ c }) => c.succeeded && c.time <= at + skew && c.time >= at - lookback)
      .map(({ c, k }) => ({ c, w: k * causeWeight(c) * recency(at - c.time), via: k < 1 ? f.resourceId : undefined }))
      .filter((x) => x.w > 0)
      .sort((a, b) => b.w - a.w || b.c.time - a.c.time);
    if (!candidates.length) continue;
    const best = candidates[0];
    const total = candidates.reduce((s, x) => s + x.w, 0);
    const share = best.w / total;
    const gap = Math.max(0, at - best.c.time);
    const confidence = round2(gapWeight(gap) * causeWeight(best.c) * (0.5 + 0.5 * share));
    if (confidence < minConfidence) continue;
    const deployment = deployments.get(best.c.correlationId.toLowerCase()) ?? null;
    out[f.id] = {
      changeId: best.c.correlationId,
      eventIds: best.c.eventIds,
      caller: best.c.caller,
      time: new Date(best.c.time).toISOString(),
      operation: best.c.operation,
      resourceId: best.c.resourceId,
      deployment,
      confidence,
      competing: candidates.length - 1,
      explanation: explain(best.c, at, gap, deployment, candidates.length - 1, lookback, best.via),
    };
  }
  return out;
}

function recency(gapMs: number): number {
  // Half-life of 12 hours: a write minutes before the change beats one two days earlier.
  return 0.5 ** (Math.max(0, gapMs) / (12 * 3_600_000));
}

function topOf(key: string): string {
  const i = key.indexOf("/providers/");
  if (i < 0) return key;
  const rest = key.slice(i + 11).split("/");
  return rest.length < 3 ? key : `${key.slice(0, i)}/providers/${rest.slice(0, 3).join("/")}`;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

export function formatGap(ms: number): string {
  const mins = Math.round(ms / 60_000);
  if (mins < 1) return "less than a minute";
  if (mins < 60) return `${mins} min`;
  const h = Math.floor(mins / 60);
  const m = mins % 60;
  if (h < 48) return m ? `${h} h ${m} min` : `${h} h`;
  return `${Math.round(h / 24)} days`;
}

const NSG_OP = /^microsoft\.network\/networksecuritygroups\/(securityrules\/)?(write|delete)$/;

function explain(c: Change, at: number, gap: number, deployment: string | null, competing: number, lookback: number, via?: string): string {
  const when = new Date(c.time).toISOString().replace("T", " ").slice(0, 16);
  const turned = new Date(at).toISOString().replace("T", " ").slice(0, 16);
  const viaDeployment = deployment ? ` as part of deployment ${deployment}` : "";
  const others =
    competing === 0
      ? ` No other change to this resource or what filters its traffic in the ${Math.round(lookback / 3_600_000)} h before.`
      : ` ${competing} other change(s) to it in the ${Math.round(lookback / 3_600_000)} h before were less likely causes.`;
  const target = via ? `${shortName(c.resourceId)} (network security group ${shortName(c.topResourceKey)}, which filters traffic to ${shortName(via)})` : shortName(c.resourceId);
  return `${c.caller} ran ${c.operation} on ${target} at ${when} UTC${viaDeployment} (correlation ${c.correlationId}), ${formatGap(gap)} before Defender marked it unhealthy at ${turned} UTC.${others}`;
}
