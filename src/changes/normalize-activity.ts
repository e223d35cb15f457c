/**
 * Normalizes Activity Log events into `ActivityEvent` records, from the shapes Clarion meets:
 * - Activity Log REST (`Microsoft.Insights/eventtypes/management/values`): `{ value: [EventData] }` or the items;
 * - `az monitor activity-log list` output (the same EventData fields, camelCase, as a JSON array);
 * - the Log Analytics `AzureActivity` table: query results (`tables[].columns/rows`) or exported rows
 *   (objects keyed by column name, including portal CSV exports whose headers read `TimeGenerated [UTC]`).
 *
 * Bad rows never fail the whole batch: each is skipped and reported with its index (and file/line when known).
 * Duplicates (same eventDataId) are dropped, out-of-order arrival is counted and the output sorted by time,
 * and an event clock that runs ahead of the log's submission clock (clock skew) is corrected and counted.
 */
import { createHash } from "node:crypto";
import { formatWhere, InputError } from "../domain/errors";
import type { ActivityEvent } from "../domain/records";
import { parseResourceId } from "../domain/resource";

export interface ActivityIssue {
  /** 0-based position of the row in the input. */
  index: number;
  /** 1-based line when the input was NDJSON text. */
  line?: number;
  field?: string;
  message: string;
}

export interface ActivityIngestReport {
  read: number;
  kept: number;
  invalid: number;
  duplicates: number;
  /** Events that arrived out of the input's dominant time order (they are re-sorted). */
  outOfOrder: number;
  /** Events whose own timestamp ran ahead of the submission time by more than the tolerance (time corrected). */
  clockSkew: number;
  /** Events dated in the future relative to `now` (time corrected when possible, otherwise rejected). */
  future: number;
  issues: ActivityIssue[];
}

export interface NormalizeActivityOptions {
  /** File name used in messages. */
  file?: string;
  /** Reference "now" for future-dated events (default: wall clock). */
  now?: Date;
  /** Allowed lead of the event clock over the submission clock before it counts as skew (default 5 min). */
  skewToleranceMs?: number;
}

const ISO_OR_PORTAL = /^(\d{1,2})\/(\d{1,2})\/(\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(AM|PM)?$/i;

/** Parses ISO-8601 or the portal CSV export format (`4/28/2021, 2:32:14.029 PM`, UTC). */
export function parseEventTime(v: unknown): number | undefined {
  if (v instanceof Date) return Number.isFinite(v.getTime()) ? v.getTime() : undefined;
  if (typeof v !== "string" || !v.trim()) return undefined;
  const s = v.trim();
  const m = ISO_OR_PORTAL.exec(s);
  if (m) {
    let hour = Number(m[4]) % 12;
    if (!m[8]) hour = Number(m[4]);
    else if (m[8].toUpperCase() === "PM") hour += 12;
    const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, "0")) : 0;
    return Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), hour, Number(m[5]), Number(m[6] ?? 0), ms);
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return undefined;
  // Trim sub-millisecond digits (Azure writes 7) so Date.parse accepts them everywhere.
  const t = Date.parse(s.replace(/(\.\d{3})\d+/, "$1"));
  return Number.isFinite(t) ? t : undefined;
}

const LA_STATUS: Record<string, string> = {
  start: "Started",
  started: "Started",
  accept: "Accepted",
  accepted: "Accepted",
  success: "Succeeded",
  succeeded: "Succeeded",
  failure: "Failed",
  failed: "Failed",
};

function normStatus(v: string): string {
  return LA_STATUS[v.toLowerCase()] ?? v;
}

/** `{value, localizedValue}` objects, JSON-encoded strings (LA `dynamic` and portal CSV cells) or plain strings. */
function val(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (typeof v === "object" && "value" in (v as Record<string, unknown>)) return val((v as Record<string, unknown>).value);
  return undefined;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  if (typeof v === "string" && v.trim().startsWith("{")) {
    try {
      const parsed = JSON.parse(v);
      return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Column lookup tolerant of portal export suffixes (`TimeGenerated [UTC]`) and case. */
function columnGetter(row: Record<string, unknown>): (name: string) => unknown {
  const index = new Map<string, unknown>();
  for (const [k, v] of Object.entries(row)) index.set(k.replace(/\s*\[[^\]]*\]\s*$/, "").toLowerCase(), v);
  return (name) => {
    const v = index.get(name.toLowerCase());
    return v === "" ? undefined : v;
  };
}

function nonEmpty(...vals: (string | undefined)[]): string | undefined {
  for (const v of vals) if (v !== undefined && v.trim() !== "") return v.trim();
  return undefined;
}

const OID = "http://schemas.microsoft.com/identity/claims/objectidentifier";
const UPN = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn";

/** Where the row came from, detected by its field names. */
export type ActivityRowKind = "rest" | "log-analytics";

export function detectActivityRow(row: Record<string, unknown>): ActivityRowKind | undefined {
  const keys = new Set(Object.keys(row).map((k) => k.replace(/\s*\[[^\]]*\]\s*$/, "")));
  if (keys.has("eventTimestamp") || keys.has("eventDataId") || (keys.has("operationName") && keys.has("correlationId"))) return "rest";
  if (keys.has("OperationNameValue") || keys.has("EventDataId") || (keys.has("TimeGenerated") && keys.has("CorrelationId"))) return "log-analytics";
  return undefined;
}

interface Draft {
  event: ActivityEvent;
  time: number;
  submission?: number;
}

function fail(message: string, field: string): never {
  throw new InputError(message, { field });
}

function fromRest(r: Record<string, unknown>): Draft {
  const claims = obj(r.claims) ?? {};
  const http = obj(r.httpRequest) ?? {};
  const auth = obj(r.authorization) ?? {};
  const operationName = nonEmpty(val(r.operationName), val(auth.action)) ?? fail("missing operationName", "operationName");
  const resourceId = nonEmpty(val(r.resourceId), val(auth.scope), val(r.resourceUri)) ?? fail("missing resourceId", "resourceId");
  const timeRaw = r.eventTimestamp ?? r.time;
  const time = parseEventTime(timeRaw) ?? fail(timeRaw === undefined ? "missing eventTimestamp" : `unreadable eventTimestamp '${String(timeRaw)}'`, "eventTimestamp");
  const submission = parseEventTime(r.submissionTimestamp);
  const caller = nonEmpty(val(r.caller), val(claims[UPN]), val(claims[OID]), val(claims.appid)) ?? "unknown";
  const props = obj(r.properties);
  const parsed = parseResourceId(resourceId);
  const status = nonEmpty(val(r.status)) ?? "Succeeded";
  const subStatus = nonEmpty(val(r.subStatus));
  const eventId = nonEmpty(val(r.eventDataId)) ?? syntheticId([val(r.correlationId), time, operationName, resourceId, status]);
  return {
    time,
    submission,
    event: {
      eventId,
      correlationId: nonEmpty(val(r.correlationId), val(r.operationId)) ?? eventId,
      time: new Date(time).toISOString(),
      caller,
      operationName,
      resourceId,
      status: normStatus(status),
      category: nonEmpty(val(r.category)) ?? "Administrative",
      level: nonEmpty(val(r.level)) ?? "Informational",
      callerIpAddress: nonEmpty(val(http.clientIpAddress), val(claims.ipaddr)),
      clientAppId: nonEmpty(val(claims.appid), val(claims.azp)),
      subscriptionId: nonEmpty(val(r.subscriptionId)) ?? (parsed.subscriptionId || undefined),
      resourceGroup: nonEmpty(val(r.resourceGroupName), val(r.resourceGroup)) ?? (parsed.resourceGroup || undefined),
      properties: compact({ ...(props ?? {}), ...(subStatus ? { subStatus } : {}) }),
    },
  };
}

function fromLogAnalytics(row: Record<string, unknown>): Draft {
  const get = columnGetter(row);
  const auth = obj(get("Authorization_d")) ?? obj(get("Authorization")) ?? {};
  const claims = obj(get("Claims_d")) ?? obj(get("Claims")) ?? {};
  const http = obj(get("HTTPRequest")) ?? {};
  const props = obj(get("Properties_d")) ?? obj(get("Properties"));
  const opRaw = nonEmpty(val(get("OperationNameValue")), val(get("OperationName")), val(auth.action)) ?? fail("missing OperationNameValue", "OperationNameValue");
  // The table upper-cases OperationNameValue in places; the authorization action keeps Azure's casing.
  const action = val(auth.action);
  const operationName = action && action.toLowerCase() === opRaw.toLowerCase() ? action : opRaw;
  const idRaw = nonEmpty(val(get("ResourceId")), val(get("_ResourceId")), val(auth.scope)) ?? fail("missing ResourceId", "ResourceId");
  const scope = val(auth.scope);
  const resourceId = scope && scope.toLowerCase() === idRaw.toLowerCase() ? scope : idRaw;
  const timeRaw = get("TimeGenerated") ?? get("EventSubmissionTimestamp");
  const time = parseEventTime(timeRaw) ?? fail(timeRaw === undefined ? "missing TimeGenerated" : `unreadable TimeGenerated '${String(timeRaw)}'`, "TimeGenerated");
  const submission = parseEventTime(get("EventSubmissionTimestamp"));
  const caller = nonEmpty(val(get("Caller")), val(claims[UPN]), val(claims[OID]), val(claims.appid)) ?? "unknown";
  const status = nonEmpty(val(get("ActivityStatusValue")), val(get("ActivityStatus"))) ?? "Succeeded";
  const subStatus = nonEmpty(val(get("ActivitySubstatusValue")), val(get("ActivitySubstatus")));
  const parsed = parseResourceId(resourceId);
  const eventId = nonEmpty(val(get("EventDataId"))) ?? syntheticId([val(get("CorrelationId")), time, operationName, resourceId, status]);
  return {
    time,
    submission,
    event: {
      eventId,
      correlationId: nonEmpty(val(get("CorrelationId")), val(get("OperationId"))) ?? eventId,
      time: new Date(time).toISOString(),
      caller,
      operationName,
      resourceId,
      status: normStatus(status),
      category: nonEmpty(val(get("CategoryValue")), val(get("Category"))) ?? "Administrative",
      level: nonEmpty(val(get("Level"))) ?? "Informational",
      callerIpAddress: nonEmpty(val(get("CallerIpAddress")), val(http.clientIpAddress), val(claims.ipaddr)),
      clientAppId: nonEmpty(val(claims.appid), val(claims.azp)),
      subscriptionId: nonEmpty(val(get("SubscriptionId"))) ?? (parsed.subscriptionId || undefined),
      resourceGroup: nonEmpty(val(get("ResourceGroup"))) ?? (parsed.resourceGroup || undefined),
      properties: compact({ ...(props ?? {}), ...(subStatus ? { subStatus } : {}) }),
    },
  };
}

function compact(p: Record<string, unknown>): Record<string, unknown> | undefined {
  return Object.keys(p).length ? p : undefined;
}

function syntheticId(parts: unknown[]): string {
  return `synthetic-${createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32)}`;
}

/** Normalizes one row; throws InputError naming the field when the row cannot be used. */
export function normalizeActivityRow(row: unknown): ActivityEvent {
  return draftOf(row).event;
}

function draftOf(row: unknown): Draft {
  if (!row || typeof row !== "object" || Array.isArray(row)) fail("row is not an object", "(row)");
  const r = row as Record<string, unknown>;
  const kind = detectActivityRow(r);
  if (kind === "rest") return fromRest(r);
  if (kind === "log-analytics") return fromLogAnalytics(r);
  fail("not an Activity Log event (expected eventTimestamp/operationName or AzureActivity columns)", "(row)");
}

/** Unwraps the containers: `{value:[...]}`, `{tables:[{columns,rows}]}`, arrays, JSON/NDJSON text. */
export function activityRows(input: unknown): { rows: unknown[]; lines?: number[] } {
  if (typeof input === "string") {
    const text = input.trim();
    if (!text) return { rows: [] };
    if (text.startsWith("[") || (text.startsWith("{") && !text.includes("\n"))) {
      try {
        return activityRows(JSON.parse(text));
      } catch {
        /* fall through to NDJSON */
      }
    }
    if (text.startsWith("{")) {
      try {
        const whole = JSON.parse(text);
        if (whole && typeof whole === "object" && ("value" in whole || "tables" in whole)) return activityRows(whole);
      } catch {
        /* NDJSON */
      }
    }
    const rows: unknown[] = [];
    const lines: number[] = [];
    input.split(/\r?\n/).forEach((l, i) => {
      if (!l.trim()) return;
      try {
        rows.push(JSON.parse(l));
      } catch {
        rows.push(new SyntaxError(`line is not JSON: ${l.slice(0, 60)}`));
      }
      lines.push(i + 1);
    });
    return { rows, lines };
  }
  if (Array.isArray(input)) return { rows: input };
  if (input && typeof input === "object") {
    const o = input as Record<string, unknown>;
    if (Array.isArray(o.value)) return { rows: o.value };
    if (Array.isArray(o.tables)) {
      const t = (o.tables as { columns?: { name: string }[]; rows?: unknown[][] }[])[0];
      if (!t || !Array.isArray(t.columns) || !Array.isArray(t.rows)) return { rows: [] };
      const names = t.columns.map((c) => c.name);
      return { rows: t.rows.map((cells) => Object.fromEntries(names.map((n, i) => [n, cells?.[i]]))) };
    }
    return { rows: [input] };
  }
  throw new InputError("Activity Log input is neither JSON text, an array, nor an object");
}

const STATUS_RANK: Record<string, number> = { Started: 0, Accepted: 1, Succeeded: 2, Failed: 2 };

/**
 * Normalizes a batch of Activity Log rows in any supported shape. Never throws for a bad row: the row is
 * skipped, counted and described in `report.issues` (with a message naming its index or line).
 *
 * @example
 * const { events, report } = normalizeActivity(JSON.parse(text), { file: "activity.json" });
 * if (report.invalid) console.warn(report.issues.map(i => i.message).join("\n"));
 */
export function normalizeActivity(input: unknown, opts: NormalizeActivityOptions = {}): { events: ActivityEvent[]; report: ActivityIngestReport } {
  const { rows, lines } = activityRows(input);
  const now = (opts.now ?? new Date()).getTime();
  const tolerance = opts.skewToleranceMs ?? 5 * 60_000;
  const report: ActivityIngestReport = { read: rows.length, kept: 0, invalid: 0, duplicates: 0, outOfOrder: 0, clockSkew: 0, future: 0, issues: [] };
  const byId = new Map<string, Draft>();
  const arrival: number[] = [];
  const issue = (index: number, message: string, field?: string) => {
    const line = lines?.[index];
    const where = formatWhere({ file: opts.file, line, index: line === undefined ? index : undefined, field });
    report.issues.push({ index, line, field, message: `${where}${message}` });
  };
  rows.forEach((row, index) => {
    if (row instanceof SyntaxError) {
      report.invalid++;
      issue(index, row.message);
      return;
    }
    let d: Draft;
    try {
      d = draftOf(row);
    } catch (e) {
      report.invalid++;
      const err = e as InputError;
      issue(index, err.where ? err.message.replace(formatWhere(err.where), "") : String(err.message), err.where?.field);
      return;
    }
    // Clock skew: the event's own clock ahead of the service's submission clock.
    if (d.submission !== undefined && d.time - d.submission > tolerance) {
      report.clockSkew++;
      issue(index, `event time ${d.event.time} is after its submission time ${new Date(d.submission).toISOString()} (clock skew); using the submission time`, "eventTimestamp");
      d.time = d.submission;
      d.event.time = new Date(d.submission).toISOString();
    }
    if (d.time - now > tolerance) {
      report.future++;
      if (d.submission !== undefined && d.submission - now <= tolerance) {
        issue(index, `event time ${d.event.time} is in the future; using the submission time`, "eventTimestamp");
        d.time = d.submission;
        d.event.time = new Date(d.submission).toISOString();
      } else {
        report.invalid++;
        issue(index, `event time ${d.event.time} is in the future and no earlier submission time is known; skipped`, "eventTimestamp");
        return;
      }
    }
    const prev = byId.get(d.event.eventId);
    if (prev) {
      report.duplicates++;
      // Keep the most advanced record of the same event (a later delivery may carry the final status).
      if ((STATUS_RANK[d.event.status] ?? 1) > (STATUS_RANK[prev.event.status] ?? 1)) byId.set(d.event.eventId, d);
      return;
    }
    byId.set(d.event.eventId, d);
    arrival.push(d.time);
  });
  report.outOfOrder = countOutOfOrder(arrival);
  const events = [...byId.values()]
    .sort((a, b) => a.time - b.time || a.event.eventId.localeCompare(b.event.eventId))
    .map((d) => d.event);
  report.kept = events.length;
  return { events, report };
}

/**
 * Counts events that arrived out of the input's dominant order: the fewest events that would have to move for
 * the rest to be in order (length minus the longest non-decreasing run, in either direction). The REST API
 * pages newest first and exports are usually oldest first, so both directions count as "in order".
 */
export function countOutOfOrder(times: number[]): number {
  const longest = (xs: number[]) => {
    const tails: number[] = [];
    for (const x of xs) {
      let lo = 0;
      let hi = tails.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (tails[mid] <= x) lo = mid + 1;
        else hi = mid;
      }
      tails[lo] = x;
    }
    return tails.length;
  };
  const best = Math.max(longest(times), longest(times.map((t) => -t)));
  return times.length - best;
}

/** One line for logs and CLI notes. */
export function describeIngest(r: ActivityIngestReport): string {
  return `activity: ${r.read} read, ${r.kept} kept, ${r.invalid} invalid, ${r.duplicates} duplicates, ${r.outOfOrder} out of order (re-sorted), ${r.clockSkew} clock-skewed (corrected), ${r.future} future-dated`;
}
