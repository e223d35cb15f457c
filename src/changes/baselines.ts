/**
 * Baselines: what normal work looks like, learned from the Activity Log.
 * Per principal: local hours (in the tenant's time zone), weekdays, operations, resource types, environments,
 * subscriptions, resource groups, client networks and apps, and the largest burst of deletes.
 * Per resource: who usually changes it.
 */
import type { ActivityEvent } from "../domain/records";
import type { ArmResource } from "../domain/resource";
import { type Change, environmentOf, indexResources, ipPrefix, principalKind, toChanges } from "./model";
import { assertTimeZone, localParts } from "./time";

export interface PrincipalBaseline {
  caller: string;
  kind: "user" | "service";
  changes: number;
  activeDays: number;
  /** Changes per local hour 0..23. */
  hours: number[];
  weekendChanges: number;
  operations: Record<string, number>;
  resourceTypes: Record<string, number>;
  environments: Record<string, number>;
  subscriptions: Record<string, number>;
  resourceGroups: Record<string, number>;
  ipPrefixes: Record<string, number>;
  clientApps: Record<string, number>;
  /** Changes that carried an IP address / a client app id (the denominators for those baselines). */
  withIp: number;
  withApp: number;
  /** Most deletes this principal made within any `burstWindowMs`. */
  maxDeleteBurst: number;
  firstSeen: string;
  lastSeen: string;
}

export interface ResourceBaseline {
  changes: number;
  changers: Record<string, number>;
}

export interface Baselines {
  timeZone: string;
  /** Only changes before this instant were learned (ISO), when set. */
  until: string | null;
  from: string | null;
  changes: number;
  principals: Record<string, PrincipalBaseline>;
  /** Keyed by lower-cased top-level resource id. */
  resources: Record<string, ResourceBaseline>;
  /** Tenant-wide counts per operation and per local hour. */
  operations: Record<string, number>;
  hours: number[];
  burstWindowMs: number;
}

export interface BaselineOptions {
  timeZone: string;
  /** Learn only from changes strictly before this instant (the scoring window starts here). */
  until?: Date | string | number;
  /** Inventory, for environment tags. */
  resources?: ArmResource[];
  /** Window for delete bursts (default 30 min). */
  burstWindowMs?: number;
}

function inc(m: Record<string, number>, k: string | undefined, n = 1): void {
  if (k === undefined || k === "") return;
  m[k] = (m[k] ?? 0) + n;
}

export function toEpoch(v: Date | string | number | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "number") return v;
  if (v instanceof Date) return v.getTime();
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

/**
 * Learns baselines from events (or already-folded changes).
 *
 * @example
 * const baselines = buildBaselines(events, { timeZone: "Europe/Amsterdam", until: "2026-11-27T00:00:00Z" });
 */
export function buildBaselines(events: ActivityEvent[] | Change[], opts: BaselineOptions): Baselines {
  assertTimeZone(opts.timeZone);
  const until = toEpoch(opts.until);
  const burstWindowMs = opts.burstWindowMs ?? 30 * 60_000;
  const all = isChanges(events) ? events : toChanges(events);
  const changes = until === undefined ? all : all.filter((c) => c.time < until);
  const resources = indexResources(opts.resources);
  const b: Baselines = {
    timeZone: opts.timeZone,
    until: until === undefined ? null : new Date(until).toISOString(),
    from: changes.length ? new Date(changes[0].time).toISOString() : null,
    changes: changes.length,
    principals: {},
    resources: {},
    operations: {},
    hours: new Array(24).fill(0),
    burstWindowMs,
  };
  const days = new Map<string, Set<string>>();
  const deletes = new Map<string, number[]>();
  for (const c of changes) {
    const lp = localParts(c.time, opts.timeZone);
    let p = b.principals[c.callerKey];
    if (!p) {
      p = b.principals[c.callerKey] = {
        caller: c.caller,
        kind: principalKind(c.caller),
        changes: 0,
        activeDays: 0,
        hours: new Array(24).fill(0),
        weekendChanges: 0,
        operations: {},
        resourceTypes: {},
        environments: {},
        subscriptions: {},
        resourceGroups: {},
        ipPrefixes: {},
        clientApps: {},
        withIp: 0,
        withApp: 0,
        maxDeleteBurst: 0,
        firstSeen: new Date(c.time).toISOString(),
        lastSeen: new Date(c.time).toISOString(),
      };
      days.set(c.callerKey, new Set());
    }
    p.changes++;
    p.hours[lp.hour]++;
    if (lp.weekday === 0 || lp.weekday === 6) p.weekendChanges++;
    days.get(c.callerKey)?.add(`${lp.year}-${lp.month}-${lp.day}`);
    inc(p.operations, c.op);
    inc(p.resourceTypes, c.resourceType);
    inc(p.environments, environmentOf(c.resourceKey, resources));
    inc(p.subscriptions, c.subscriptionId);
    inc(p.resourceGroups, c.resourceGroup);
    const prefix = ipPrefix(c.callerIpAddress);
    if (prefix) {
      p.withIp++;
      inc(p.ipPrefixes, prefix);
    }
    if (c.clientAppId) {
      p.withApp++;
      inc(p.clientApps, c.clientAppId.toLowerCase());
    }
    p.lastSeen = new Date(c.time).toISOString();
    if (c.verb === "delete") {
      const list = deletes.get(c.callerKey) ?? [];
      list.push(c.time);
      deletes.set(c.callerKey, list);
    }
    if (!b.resources[c.topResourceKey]) b.resources[c.topResourceKey] = { changes: 0, changers: {} };
    const r = b.resources[c.topResourceKey];
    r.changes++;
    inc(r.changers, c.callerKey);
    inc(b.operations, c.op);
    b.hours[lp.hour]++;
  }
  for (const [k, p] of Object.entries(b.principals)) {
    p.activeDays = days.get(k)?.size ?? 0;
    p.maxDeleteBurst = maxBurst(deletes.get(k) ?? [], burstWindowMs);
  }
  return b;
}

/** Largest number of timestamps (sorted ascending) within any window of `windowMs`. */
export function maxBurst(times: number[], windowMs: number): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while (times[hi] - times[lo] > windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

function isChanges(v: ActivityEvent[] | Change[]): v is Change[] {
  return v.length > 0 && "callerKey" in (v[0] as object);
}
