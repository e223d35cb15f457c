/**
 * Anomaly scoring: each write, delete or action in the scoring window is compared with the baselines of who
 * made it and what it touched. Each signal has a weight; the score is 100 × (1 − Π(1 − weight)), so independent
 * signals reinforce each other and no single weak signal reaches the flag threshold alone.
 * Changes are reported per correlation id (one deployment = one item); a burst of deletes is one item.
 */
import type { ActivityEvent } from "../domain/records";
import type { ArmResource } from "../domain/resource";
import type { Baselines, PrincipalBaseline } from "./baselines";
import { toEpoch } from "./baselines";
import { type Change, type Environment, environmentOf, indexResources, ipPrefix, sensitivityOf, shortName, toChanges } from "./model";
import { localClock, localParts } from "./time";

export type SignalCode =
  | "offHours"
  | "weekend"
  | "firstOperation"
  | "firstInTenant"
  | "firstProduction"
  | "newPrincipal"
  | "unusualIp"
  | "unusualApp"
  | "unusualChanger"
  | "massDelete"
  | "production"
  | "sensitive";

export interface Signal {
  code: SignalCode;
  weight: number;
  detail: string;
}

export interface OpenedRule {
  nsg: string;
  rule: string;
  ports: string;
  source: string;
  protocol: string;
}

export interface AnomalyImpact {
  /** Findings whose drift root cause is this change. */
  findings: string[];
  /** Inbound allow rules from any address that this change wrote. */
  openedRules: OpenedRule[];
  /** Why the operation matters for security, when it does. */
  sensitive: string | null;
  summary: string;
}

export interface Anomaly {
  correlationId: string;
  caller: string;
  resourceId: string;
  time: string;
  score: number;
  reasons: string[];
  signals: Signal[];
  operation: string;
  environment: Environment;
  resourceIds: string[];
  eventIds: string[];
  impact: AnomalyImpact;
}

export interface ScoreOptions {
  /** Start of the scoring window (a Date, ISO string or epoch ms). Default: the baselines' `until`. */
  since?: Date | string | number;
  until?: Date | string | number;
  /** Report items at or above this score (default 50, the flag threshold). */
  minScore?: number;
  resources?: ArmResource[];
  /** Root-cause links (finding id → change id) to fill `impact.findings`. */
  rootCauses?: Record<string, { changeId: string }>;
  /** Deletes in one burst window that make a mass delete (default 5). */
  massDeleteMin?: number;
}

export const FLAG_THRESHOLD = 50;

/** Weights, in one place. */
export const WEIGHTS: Record<SignalCode, number> = {
  offHours: 0.4,
  weekend: 0.3,
  firstOperation: 0.3,
  firstInTenant: 0.2,
  firstProduction: 0.35,
  newPrincipal: 0.35,
  unusualIp: 0.35,
  unusualApp: 0.3,
  unusualChanger: 0.15,
  massDelete: 0.6,
  production: 0.15,
  sensitive: 0.2,
};

/** Principals with fewer changes than this have no reliable habits yet (their history is "new"). */
const MIN_HISTORY = 10;
/** Changes needed before a principal's hours are trusted. */
const MIN_HOURS_HISTORY = 20;
/** Changes from the same unusual network/app within this gap form one session (one item). */
const SESSION_GAP_MS = 2 * 3_600_000;
/** A value first seen inside the window becomes normal once it is this old. */
const LEARN_AFTER_MS = 24 * 3_600_000;
const CONTEXT: SignalCode[] = ["production", "sensitive"];

/**
 * Scores changes after `since` against baselines and returns the items at or above `minScore`, highest first.
 *
 * @example
 * const b = buildBaselines(events, { timeZone: "Europe/Amsterdam", until: since });
 * const flagged = scoreAnomalies(events, b, { since });
 */
export function scoreAnomalies(events: ActivityEvent[] | Change[], baselines: Baselines, opts: ScoreOptions = {}): Anomaly[] {
  const since = toEpoch(opts.since) ?? toEpoch(baselines.until ?? undefined) ?? Number.NEGATIVE_INFINITY;
  const until = toEpoch(opts.until) ?? Number.POSITIVE_INFINITY;
  const minScore = opts.minScore ?? FLAG_THRESHOLD;
  const resources = indexResources(opts.resources);
  const all = events.length && "callerKey" in (events[0] as object) ? (events as Change[]) : toChanges(events as ActivityEvent[]);
  const changes = all.filter((c) => c.time >= since && c.time < until);
  const tz = baselines.timeZone;
  const bursts = findDeleteBursts(changes, baselines, opts.massDeleteMin ?? 5);
  const learned = new Map<string, number>();
  const known = (key: string, t: number) => {
    const first = learned.get(key);
    return first !== undefined && t - first >= LEARN_AFTER_MS;
  };
  const learn = (key: string, t: number) => {
    if (!learned.has(key)) learned.set(key, t);
  };

  const scored: { c: Change; signals: Signal[]; env: Environment; group?: string }[] = [];
  const sessions = new Map<string, { id: string; last: number }>();
  for (const c of changes) {
    const p: PrincipalBaseline | undefined = baselines.principals[c.callerKey];
    const env = environmentOf(c.resourceKey, resources);
    const signals: Signal[] = [];
    const add = (code: SignalCode, detail: string) => signals.push({ code, weight: WEIGHTS[code], detail });
    const who = c.caller;
    if (!p || p.changes < MIN_HISTORY) {
      const k = `p|${c.callerKey}`;
      if (!known(k, c.time))
        add("newPrincipal", p ? `${who} has only ${p.changes} earlier change(s), too few to know their habits` : `first change by ${who} seen (no history before ${baselines.until ?? "this window"})`);
      learn(k, c.time);
    } else {
      const lp = localParts(c.time, tz);
      const near = p.hours[(lp.hour + 23) % 24] + p.hours[lp.hour] + p.hours[(lp.hour + 1) % 24];
      // Only principals with enough history and a working day (not active around the clock) have "usual hours".
      const activeHours = p.hours.filter((n) => n > 0).length;
      if (p.changes >= MIN_HOURS_HISTORY && activeHours <= 14 && near / p.changes < 0.02)
        add("offHours", `at ${localClock(c.time, tz)} (${tz}), outside ${who}'s usual hours: ${near} of their ${p.changes} earlier changes fall between ${pad((lp.hour + 23) % 24)}:00 and ${pad((lp.hour + 2) % 24)}:00`);
      if ((lp.weekday === 0 || lp.weekday === 6) && p.weekendChanges / p.changes < 0.02)
        add("weekend", `on a ${lp.weekday === 0 ? "Sunday" : "Saturday"}; ${who} made ${p.weekendChanges} of ${p.changes} earlier changes at weekends`);
      const kOp = `op|${c.callerKey}|${c.op}`;
      if (!p.operations[c.op] && !known(kOp, c.time)) {
        add("firstOperation", `first time ${who} runs ${c.operation}`);
        if (!baselines.operations[c.op]) add("firstInTenant", `no one in the tenant ran ${c.operation} before`);
      }
      learn(kOp, c.time);
      const kEnv = `env|${c.callerKey}|${env}`;
      if (env === "production" && !p.environments.production && !known(kEnv, c.time)) add("firstProduction", `first change by ${who} to a production resource`);
      learn(kEnv, c.time);
      const prefix = ipPrefix(c.callerIpAddress);
      const kIp = `ip|${c.callerKey}|${prefix}`;
      if (prefix && p.withIp >= MIN_HISTORY && !p.ipPrefixes[prefix] && !known(kIp, c.time))
        add("unusualIp", `from ${c.callerIpAddress}, a network ${who} never used before (usual: ${top(p.ipPrefixes, 2).map((x) => `${x}.x`).join(", ")})`);
      if (prefix) learn(kIp, c.time);
      const app = c.clientAppId?.toLowerCase();
      const kApp = `app|${c.callerKey}|${app}`;
      if (app && p.withApp >= MIN_HISTORY && !p.clientApps[app] && !known(kApp, c.time))
        add("unusualApp", `with client app ${c.clientAppId}, which ${who} never used before`);
      if (app) learn(kApp, c.time);
    }
    const r = baselines.resources[c.topResourceKey];
    if (r && r.changes >= 3 && !r.changers[c.callerKey] && Object.keys(r.changers).length <= 3)
      add("unusualChanger", `${shortName(c.topResourceKey)} is usually changed by ${top(r.changers, 3).map((k) => baselines.principals[k]?.caller ?? k).join(", ")}, not ${who}`);
    const burst = bursts.get(c.key);
    if (burst) add("massDelete", burst.detail);
    let session: string | undefined;
    if (signals.some((s) => s.code === "unusualIp" || s.code === "unusualApp")) {
      const base = `sess|${c.callerKey}|${ipPrefix(c.callerIpAddress) ?? ""}|${c.clientAppId ?? ""}`;
      const open = sessions.get(base);
      if (open && c.time - open.last <= SESSION_GAP_MS) open.last = c.time;
      else sessions.set(base, { id: `${base}|${c.time}`, last: c.time });
      session = sessions.get(base)?.id;
    }
    if (signals.length) {
      if (env === "production") add("production", `${shortName(c.topResourceKey)} is a production resource`);
      const why = sensitivityOf(c.op);
      if (why) add("sensitive", `${c.operation} ${why}`);
    }
    scored.push({ c, signals, env, group: burst?.id ?? session });
  }

  // One item per correlation id, per delete burst, or per session from an unusual network or app.
  const groups = new Map<string, typeof scored>();
  for (const s of scored) {
    const k = s.group ?? `corr|${s.c.correlationId.toLowerCase()}`;
    const g = groups.get(k) ?? [];
    g.push(s);
    groups.set(k, g);
  }
  const byChange = new Map<string, string[]>();
  for (const [fid, rc] of Object.entries(opts.rootCauses ?? {})) {
    const k = rc.changeId.toLowerCase();
    byChange.set(k, [...(byChange.get(k) ?? []), fid]);
  }
  const out: Anomaly[] = [];
  for (const g of groups.values()) {
    const withScore = g.map((s) => ({ ...s, score: scoreOf(s.signals) }));
    withScore.sort((a, b) => b.score - a.score || a.c.time - b.c.time);
    const best = withScore[0];
    if (best.score < minScore) continue;
    const signals = dedupeSignals(withScore.flatMap((s) => s.signals));
    const corrIds = [...new Set(g.map((s) => s.c.correlationId.toLowerCase()))];
    const findings = [...new Set(corrIds.flatMap((k) => byChange.get(k) ?? []))].sort();
    const openedRules = g.flatMap((s) => openedRulesOf(s.c));
    const sensitive = sensitivityOf(best.c.op) ?? null;
    out.push({
      correlationId: best.c.correlationId,
      caller: best.c.caller,
      resourceId: best.c.resourceId,
      time: new Date(Math.min(...g.map((s) => s.c.time))).toISOString(),
      score: best.score,
      reasons: signals.map((s) => s.detail),
      signals,
      operation: best.c.operation,
      environment: best.env,
      resourceIds: [...new Set(g.map((s) => s.c.resourceId))],
      eventIds: g.flatMap((s) => s.c.eventIds),
      impact: { findings, openedRules, sensitive, summary: impactSummary(findings, openedRules, sensitive, g.length) },
    });
  }
  return out.sort((a, b) => b.score - a.score || b.time.localeCompare(a.time));
}

export function scoreOf(signals: Signal[]): number {
  if (!signals.some((s) => !CONTEXT.includes(s.code))) return 0;
  let keep = 1;
  for (const s of signals) keep *= 1 - s.weight;
  return Math.round(100 * (1 - keep));
}

function dedupeSignals(signals: Signal[]): Signal[] {
  const seen = new Set<string>();
  const out: Signal[] = [];
  for (const s of signals.sort((a, b) => b.weight - a.weight)) {
    const k = `${s.code}|${s.code === "massDelete" || s.code === "production" ? "" : s.detail}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(s);
  }
  return out;
}

function findDeleteBursts(changes: Change[], b: Baselines, min: number): Map<string, { id: string; detail: string }> {
  const out = new Map<string, { id: string; detail: string }>();
  const byCaller = new Map<string, Change[]>();
  for (const c of changes) if (c.verb === "delete") byCaller.set(c.callerKey, [...(byCaller.get(c.callerKey) ?? []), c]);
  for (const [caller, list] of byCaller) {
    const usual = b.principals[caller]?.maxDeleteBurst ?? 0;
    const need = Math.max(min, 2 * usual + 1);
    let i = 0;
    while (i < list.length) {
      let j = i;
      while (j + 1 < list.length && list[j + 1].time - list[j].time <= b.burstWindowMs) j++;
      const n = j - i + 1;
      if (n >= need) {
        const id = `burst|${caller}|${list[i].time}`;
        const mins = Math.max(1, Math.round((list[j].time - list[i].time) / 60_000));
        const detail = `mass delete: ${list[i].caller} deleted ${n} resources in ${mins} min (their largest earlier burst: ${usual})`;
        for (let k = i; k <= j; k++) out.set(list[k].key, { id, detail });
      }
      i = j + 1;
    }
  }
  return out;
}

/** Inbound allow rules from any address in the request body of an NSG write, when the log carries it. */
export function openedRulesOf(c: Change): OpenedRule[] {
  if (!/^microsoft\.network\/networksecuritygroups\/(securityrules\/)?write$/.test(c.op)) return [];
  const raw = c.properties.requestbody ?? c.properties.requestBody;
  let body: unknown = raw;
  if (typeof raw === "string") {
    try {
      body = JSON.parse(raw);
    } catch {
      return [];
    }
  }
  if (!body || typeof body !== "object") return [];
  const b = body as { properties?: Record<string, unknown>; name?: string };
  const isRule = c.op.includes("/securityrules/");
  const rules: { name: string; p: Record<string, unknown> }[] = isRule
    ? [{ name: b.name ?? shortName(c.resourceId), p: b.properties ?? {} }]
    : ((b.properties?.securityRules as { name?: string; properties?: Record<string, unknown> }[] | undefined) ?? []).map((r) => ({
        name: r.name ?? "",
        p: r.properties ?? {},
      }));
  const nsg = shortName(c.topResourceKey);
  const ANY = new Set(["*", "internet", "any", "0.0.0.0/0", "::/0"]);
  const out: OpenedRule[] = [];
  for (const { name, p } of rules) {
    if (String(p.access ?? "").toLowerCase() !== "allow" || String(p.direction ?? "").toLowerCase() !== "inbound") continue;
    const sources = [p.sourceAddressPrefix, ...((p.sourceAddressPrefixes as unknown[]) ?? [])].filter(Boolean).map((s) => String(s).toLowerCase());
    const open = sources.find((s) => ANY.has(s));
    if (!open) continue;
    const ports = [p.destinationPortRange, ...((p.destinationPortRanges as unknown[]) ?? [])].filter(Boolean).join(",") || "*";
    out.push({ nsg, rule: name, ports, source: open === "*" ? "any address" : open, protocol: String(p.protocol ?? "*") });
  }
  return out;
}

function impactSummary(findings: string[], rules: OpenedRule[], sensitive: string | null, changes: number): string {
  const parts: string[] = [];
  for (const r of rules) parts.push(`opened inbound port ${r.ports}/${r.protocol} from ${r.source} on ${r.nsg} (rule ${r.rule})`);
  if (findings.length) parts.push(`caused ${findings.length} finding(s) to turn unhealthy`);
  if (!parts.length && sensitive) parts.push(sensitive.replace(/^(\w)/, (m) => m.toLowerCase()));
  if (changes > 1) parts.push(`${changes} changes in this item`);
  return parts.length ? `${parts.join("; ")}.` : "no known security impact yet.";
}

function top(m: Record<string, number>, n: number): string[] {
  return Object.entries(m)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([k]) => k);
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
