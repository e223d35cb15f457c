import { z } from "zod";
import { normalizeActivityRow } from "../changes/normalize-activity";
import { formatWhere, InputError } from "../domain/errors";
import { type ArmResource, ArmResourceSchema } from "../domain/resource";
import {
  type ActivityEvent,
  type Alert,
  type Assessment,
  AssessmentSchema,
  type ComplianceResult,
  type SecureScore,
  type SecureScoreControl,
  type SubAssessment,
  SubAssessmentSchema,
} from "../domain/records";
import type { RawTenant } from "../sources/raw";

/** Where a raw row came from, so every rejection names it. */
export interface RowOrigin {
  file?: string;
  line?: number;
  index?: number;
}

export interface RawRow {
  /** What the reader already knows the row is (e.g. a CSV of SecurityAlert); undefined = detect by shape. */
  hint?: "activity" | "alert" | "assessment" | "resource";
  row: unknown;
  origin: RowOrigin;
}

export interface Rejection {
  where: string;
  field?: string;
  reason: string;
}

export interface IngestReport {
  read: number;
  accepted: number;
  rejected: number;
  byReason: Record<string, number>;
  /** The first 200 rejections with where and why (all are counted in byReason). */
  errors: Rejection[];
}

export interface NormalizedTenant {
  /** Every inventory row (resources, subscriptions, resource groups, role assignments, Defender plans). */
  resources: ArmResource[];
  assessments: Assessment[];
  subAssessments: SubAssessment[];
  secureScores: SecureScore[];
  secureScoreControls: SecureScoreControl[];
  compliance: ComplianceResult[];
  activity: ActivityEvent[];
  alerts: Alert[];
}

export function emptyTenant(): NormalizedTenant {
  return { resources: [], assessments: [], subAssessments: [], secureScores: [], secureScoreControls: [], compliance: [], activity: [], alerts: [] };
}

/** A function that turns an activity row of any known shape into an event, or throws naming the field. */
export type ActivityNormalizer = (row: Record<string, unknown>) => ActivityEvent;

/** What a row is, decided from its shape before it is normalized. */
export type RowKind = "activity" | "alert" | "assessment" | "subAssessment" | "secureScore" | "secureScoreControl" | "compliance" | "summary" | "resource";

export interface ClassifiedRow {
  kind: RowKind;
  obj: Record<string, unknown>;
  /** The row's id (all kinds but activity and alerts); its lower-cased form is the duplicate key. */
  id?: string;
}

/** Decides a raw row's kind by its hint, shape and `type`; throws a row error naming the field when it cannot. */
export function classifyRow(raw: RawRow): ClassifiedRow {
  const row = raw.row;
  if (row === null || typeof row !== "object" || Array.isArray(row)) throw rowError("unknown-shape", undefined, "row is not a JSON object");
  const obj = row as Record<string, unknown>;
  if (raw.hint === "activity" || isActivityShape(obj)) return { kind: "activity", obj };
  // (the usual spellings skip a lower-casing per row)
  const type = obj.type === "Microsoft.Security/assessments" ? "microsoft.security/assessments" : typeof obj.type === "string" ? obj.type.toLowerCase() : undefined;
  if (raw.hint === "alert" || type === "microsoft.security/alerts" || type === "microsoft.security/locations/alerts") return { kind: "alert", obj };
  if (!type) throw rowError("unknown-shape", "type", "row has no 'type' (not an ARG row, assessment, alert or activity event)");
  if (typeof obj.id !== "string" || !obj.id) throw rowError("invalid", "id", "missing 'id'");
  const id = obj.id;
  switch (type) {
    case "microsoft.security/assessments":
      return { kind: "assessment", obj, id };
    case "microsoft.security/assessments/subassessments":
      return { kind: "subAssessment", obj, id };
    case "microsoft.security/securescores":
      return { kind: "secureScore", obj, id };
    case "microsoft.security/securescores/securescorecontrols":
      return { kind: "secureScoreControl", obj, id };
    case "microsoft.security/regulatorycompliancestandards/regulatorycompliancecontrols/regulatorycomplianceassessments":
      return { kind: "compliance", obj, id };
    case "microsoft.security/regulatorycompliancestandards":
    case "microsoft.security/regulatorycompliancestandards/regulatorycompliancecontrols":
      return { kind: "summary", obj, id }; // summaries Clarion recomputes from the assessments
    default:
      return { kind: "resource", obj, id };
  }
}

/** Normalizes an ARG inventory row (any type Clarion does not read specially). */
export function normalizeResource(obj: Record<string, unknown>): ArmResource {
  const fast = plainResource(obj);
  if (fast) return fast;
  const parsed = ArmResourceSchema.safeParse(obj);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw rowError("invalid", issue.path.join(".") || undefined, issue.message);
  }
  return parsed.data as ArmResource;
}

const RESOURCE_KEYS = new Set(["id", "name", "type", "location", "resourceGroup", "subscriptionId", "tenantId", "kind", "managedBy", "sku", "identity", "zones", "tags", "properties"]);
const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype && !Object.hasOwn(v, "__proto__");

/**
 * ArmResourceSchema's result for the plain rows JSON.parse gives, built without zod (zod is ~60 % of a
 * resource row's cost): shape keys in schema order with the defaults, records and arrays copied, then the
 * other keys in input order. Anything it does not check exactly (wrong kinds, undefined values, odd
 * objects) returns undefined and goes through zod. `normalize.test.ts` checks the equivalence.
 */
export function plainResource(o: Record<string, unknown>): ArmResource | undefined {
  const { id, name, type } = o;
  if (typeof id !== "string" || !id || typeof name !== "string" || typeof type !== "string" || !type || !isPlain(o)) return undefined;
  const out: Record<string, unknown> = { id, name, type };
  if (!defaulted(o, out, "location") || !defaulted(o, out, "resourceGroup") || !defaulted(o, out, "subscriptionId")) return undefined;
  // (no closures here: tsx's keepNames would define a name on each one, on every row)
  if ("tenantId" in o) {
    if (typeof o.tenantId !== "string") return undefined;
    out.tenantId = o.tenantId;
  }
  if (!nullable(o, out, "kind", KIND_STRING) || !nullable(o, out, "managedBy", KIND_STRING)) return undefined;
  if (!nullable(o, out, "sku", KIND_RECORD) || !nullable(o, out, "identity", KIND_RECORD)) return undefined;
  if (!nullable(o, out, "zones", KIND_STRINGS) || !nullable(o, out, "tags", KIND_TAGS) || !nullable(o, out, "properties", KIND_RECORD)) return undefined;
  for (const k in o) if (!RESOURCE_KEYS.has(k) && Object.hasOwn(o, k)) out[k] = o[k];
  return out as ArmResource;
}

function defaulted(o: Record<string, unknown>, out: Record<string, unknown>, k: string): boolean {
  const v = o[k];
  if (typeof v === "string") out[k] = v;
  else if (v === undefined && !(k in o)) out[k] = "";
  else return false;
  return true;
}

const KIND_STRING = 0;
const KIND_RECORD = 1;
const KIND_STRINGS = 2;
const KIND_TAGS = 3;

/** An optional, nullable field of one kind, copied as zod copies it; false when zod must decide. */
function nullable(o: Record<string, unknown>, out: Record<string, unknown>, k: string, kind: number): boolean {
  if (!(k in o)) return true;
  const v = o[k];
  if (v === null) {
    out[k] = null;
    return true;
  }
  if (kind === KIND_STRING) {
    if (typeof v !== "string") return false;
    out[k] = v;
  } else if (kind === KIND_STRINGS) {
    if (!Array.isArray(v)) return false;
    for (const x of v) if (typeof x !== "string") return false;
    out[k] = v.slice();
  } else {
    if (!isPlain(v)) return false;
    if (kind === KIND_TAGS) for (const t in v) if (v[t] !== null && typeof v[t] !== "string") return false;
    out[k] = { ...v };
  }
  return true;
}

/** Normalizes a classified row into its record (the Normalizer's per-kind step, without the duplicate check). */
export function normalizeClassified(c: ClassifiedRow, normalizeActivity: ActivityNormalizer = normalizeActivityRow): unknown {
  switch (c.kind) {
    case "activity":
      return normalizeActivity(c.obj);
    case "alert":
      return normalizeAlert(c.obj);
    case "assessment":
      return normalizeAssessment(c.obj);
    case "subAssessment":
      return normalizeSubAssessment(c.obj);
    case "secureScore":
      return normalizeSecureScore(c.obj);
    case "secureScoreControl":
      return normalizeSecureScoreControl(c.obj);
    case "compliance":
      return normalizeCompliance(c.obj);
    case "summary":
      return undefined;
    default:
      return normalizeResource(c.obj);
  }
}

/** Category, field and reason of an error thrown while reading or normalizing a row. */
export function rejectionOf(e: unknown): { category: string; field?: string; reason: string } {
  if (e instanceof InputError) return { category: "invalid", field: e.where?.field, reason: e.message.replace(formatWhere(e.where), "") };
  const err = e as RowError;
  return { category: err.category ?? "invalid", field: err.field, reason: err.message };
}

/** Counts accepted and rejected rows and keeps the first 200 rejections with where and why. */
export class IngestReporter {
  readonly report: IngestReport = { read: 0, accepted: 0, rejected: 0, byReason: {}, errors: [] };

  accept(): void {
    this.report.read++;
    this.report.accepted++;
  }

  /** A row read but refused (the caller counts it as read here). */
  reject(origin: RowOrigin, category: string, field: string | undefined, reason: string): void {
    this.report.read++;
    this.report.rejected++;
    this.report.byReason[category] = (this.report.byReason[category] ?? 0) + 1;
    if (this.report.errors.length < 200) this.report.errors.push({ where: formatWhere({ ...origin, field }).replace(/: $/, ""), field, reason });
  }

  rejectError(origin: RowOrigin, e: unknown): void {
    const r = rejectionOf(e);
    this.reject(origin, r.category, r.field, r.reason);
  }

  /** Adds another reporter's counts (e.g. a worker thread's); its errors come after ours. */
  merge(other: IngestReport): void {
    const r = this.report;
    r.read += other.read;
    r.accepted += other.accepted;
    r.rejected += other.rejected;
    for (const [k, v] of Object.entries(other.byReason)) r.byReason[k] = (r.byReason[k] ?? 0) + v;
    for (const err of other.errors) if (r.errors.length < 200) r.errors.push(err);
  }
}

/**
 * Normalizes raw rows into typed records. Pure: no I/O. A row that fails is rejected with a reason naming
 * where it came from and the field; the others go through. accepted + rejected === read, always.
 */
export class Normalizer {
  readonly tenant = emptyTenant();
  private readonly reporter = new IngestReporter();
  readonly report: IngestReport = this.reporter.report;
  private seenIds = new Set<string>();

  constructor(private readonly normalizeActivity: ActivityNormalizer = normalizeActivityRow) {}

  add(raw: RawRow): void {
    try {
      const outcome = this.route(raw);
      if (outcome === "duplicate") this.reporter.reject(raw.origin, "duplicate", "id", "duplicate row (same id seen before); kept the first");
      else this.reporter.accept();
    } catch (e) {
      this.reporter.rejectError(raw.origin, e);
    }
  }

  addAll(rows: Iterable<RawRow>): this {
    for (const r of rows) this.add(r);
    return this;
  }

  /**
   * An assessment the fast path (`scanAssessment`) already read and checked: only the duplicate check
   * is left, exactly as `add` would do it for the same row.
   */
  addAssessment(a: Assessment, origin: RowOrigin): void {
    if (!this.once(a.id.toLowerCase())) this.reporter.reject(origin, "duplicate", "id", "duplicate row (same id seen before); kept the first");
    else {
      this.tenant.assessments.push(a);
      this.reporter.accept();
    }
  }

  /** Counts a row that could not even be read (malformed JSON line, bad CSV record). */
  rejectUnreadable(origin: RowOrigin, reason: string): void {
    this.reporter.reject(origin, "unreadable", undefined, reason);
  }

  private route(raw: RawRow): "ok" | "duplicate" {
    const c = classifyRow(raw);
    const obj = c.obj;
    if (c.kind === "activity") {
      const ev = this.normalizeActivity(obj);
      if (!this.once(`activity|${ev.eventId}`)) return "duplicate";
      this.tenant.activity.push(ev);
      return "ok";
    }
    if (c.kind === "alert") {
      this.tenant.alerts.push(normalizeAlert(obj));
      return "ok";
    }
    if (!this.once((c.id as string).toLowerCase())) return "duplicate";
    switch (c.kind) {
      case "assessment":
        this.tenant.assessments.push(normalizeAssessment(obj));
        return "ok";
      case "subAssessment":
        this.tenant.subAssessments.push(normalizeSubAssessment(obj));
        return "ok";
      case "secureScore":
        this.tenant.secureScores.push(normalizeSecureScore(obj));
        return "ok";
      case "secureScoreControl":
        this.tenant.secureScoreControls.push(normalizeSecureScoreControl(obj));
        return "ok";
      case "compliance":
        this.tenant.compliance.push(normalizeCompliance(obj));
        return "ok";
      case "summary":
        return "ok";
      default:
        this.tenant.resources.push(normalizeResource(obj));
        return "ok";
    }
  }

  private once(key: string): boolean {
    if (this.seenIds.has(key)) return false;
    this.seenIds.add(key);
    return true;
  }
}

interface RowError extends Error {
  category?: string;
  field?: string;
}

function rowError(category: string, field: string | undefined, message: string): RowError {
  const e = new Error(message) as RowError;
  e.category = category;
  e.field = field;
  return e;
}

function isActivityShape(o: Record<string, unknown>): boolean {
  return ("eventDataId" in o && "operationName" in o) || ("OperationNameValue" in o && "EventDataId" in o) || ("operationName" in o && "eventTimestamp" in o);
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : v === null || v === undefined ? undefined : String(v));
const ci = (o: Record<string, unknown> | undefined, key: string): unknown => {
  if (!o) return undefined;
  if (key in o) return o[key];
  const k = Object.keys(o).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : o[k];
};
const asObj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

function parsed<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw rowError("invalid", issue.path.join("."), issue.message);
  }
  return r.data;
}

const normStatus = (v: unknown) => {
  const s = str(v)?.toLowerCase();
  return s === "healthy" ? "Healthy" : s === "unhealthy" ? "Unhealthy" : s === "notapplicable" ? "NotApplicable" : v;
};
const normSeverity = (v: unknown) => {
  const s = str(v)?.toLowerCase();
  return s === "high" ? "High" : s === "medium" ? "Medium" : s === "low" ? "Low" : undefined;
};

/** ARG (`resourceDetails.Id`) and REST (`resourceDetails.id`) assessment rows alike. */
export function normalizeAssessment(o: Record<string, unknown>): Assessment {
  const id = String(o.id);
  const p = asObj(o.properties);
  if (!p) throw rowError("invalid", "properties", "assessment has no properties");
  const details = asObj(p.resourceDetails);
  const resourceId = str(ci(details, "Id")) ?? str(ci(details, "ResourceId")) ?? str(asObj(p.additionalData)?.AzureResourceId) ?? id.split("/providers/Microsoft.Security/assessments/")[0];
  const status = asObj(p.status);
  const meta = asObj(p.metadata);
  const a = {
    id,
    assessmentKey: str(o.name) ?? id.split("/").pop(),
    resourceId,
    displayName: str(p.displayName) ?? str(meta?.displayName) ?? "",
    status: normStatus(status?.code),
    cause: str(status?.cause),
    statusDescription: str(status?.description),
    firstEvaluationDate: str(status?.firstEvaluationDate),
    statusChangeDate: str(status?.statusChangeDate),
    severity: normSeverity(meta?.severity),
    policyDefinitionId: str(meta?.policyDefinitionId),
    categories: Array.isArray(meta?.categories) ? (meta.categories as unknown[]).map(String) : undefined,
    threats: Array.isArray(meta?.threats) ? (meta.threats as unknown[]).map(String) : undefined,
    userImpact: str(meta?.userImpact),
    implementationEffort: str(meta?.implementationEffort),
    description: str(meta?.description),
    remediationDescription: str(meta?.remediationDescription),
  };
  // Every field is a string, a string array or undefined by construction; only these can fail the schema.
  // When they hold, the record is what AssessmentSchema would return (same keys, same order), without zod
  // on the hot path; otherwise zod reports the failure as before.
  if (id && a.assessmentKey && resourceId && (a.status === "Healthy" || a.status === "Unhealthy" || a.status === "NotApplicable")) return a as Assessment;
  return parsed(AssessmentSchema, a);
}

export function normalizeSubAssessment(o: Record<string, unknown>): SubAssessment {
  const id = String(o.id);
  const p = asObj(o.properties) ?? {};
  const status = asObj(p.status);
  const details = asObj(p.resourceDetails);
  const add = asObj(p.additionalData) ?? {};
  const cves = Array.isArray(add.cve) ? (add.cve as unknown[]).map((c) => str(asObj(c)?.title) ?? "").filter((c) => /^CVE-\d{4}-\d+$/i.test(c)) : [];
  const vulnId = str(p.id) ?? "";
  if (/^CVE-\d{4}-\d+$/i.test(vulnId) && !cves.includes(vulnId)) cves.unshift(vulnId);
  const cvssObj = asObj(add.cvss);
  const cvss = cvssObj ? Number(asObj(cvssObj["3.0"])?.base ?? asObj(cvssObj["2.0"])?.base) : undefined;
  return parsed(SubAssessmentSchema, {
    id,
    parentKey: /assessments\/([^/]+)\/subassessments/i.exec(id)?.[1] ?? "",
    resourceId: str(ci(details, "id")) ?? id.split("/providers/Microsoft.Security/assessments/")[0],
    findingId: vulnId,
    displayName: str(p.displayName) ?? vulnId,
    status: normStatus(status?.code),
    severity: normSeverity(status?.severity),
    cves,
    cvss: Number.isFinite(cvss) ? cvss : undefined,
    patchable: typeof add.patchable === "boolean" ? add.patchable : undefined,
  });
}

function normalizeSecureScore(o: Record<string, unknown>): SecureScore {
  const p = asObj(o.properties) ?? {};
  const score = asObj(p.score) ?? {};
  return { subscriptionId: str(o.subscriptionId) ?? String(o.id).split("/")[2], current: Number(score.current ?? 0), max: Number(score.max ?? 0), percentage: Number(score.percentage ?? 0), weight: Number(p.weight ?? 0) };
}

function normalizeSecureScoreControl(o: Record<string, unknown>): SecureScoreControl {
  const p = asObj(o.properties) ?? {};
  const score = asObj(p.score) ?? {};
  const defn = asObj(asObj(p.definition)?.properties);
  return {
    id: String(o.id),
    subscriptionId: str(o.subscriptionId) ?? String(o.id).split("/")[2],
    displayName: str(p.displayName) ?? "",
    maxScore: Number(score.max ?? defn?.maxScore ?? 0),
    currentScore: Number(score.current ?? 0),
    weight: Number(p.weight ?? 0),
    healthyResourceCount: Number(p.healthyResourceCount ?? 0),
    unhealthyResourceCount: Number(p.unhealthyResourceCount ?? 0),
    notApplicableResourceCount: Number(p.notApplicableResourceCount ?? 0),
    assessmentKeys: Array.isArray(defn?.assessmentDefinitions) ? (defn.assessmentDefinitions as { id: string }[]).map((d) => String(d.id).split("/").pop() ?? "") : [],
  };
}

function normalizeCompliance(o: Record<string, unknown>): ComplianceResult {
  const id = String(o.id);
  const m = /regulatoryComplianceStandards\/([^/]+)\/regulatoryComplianceControls\/([^/]+)\/regulatoryComplianceAssessments\/([^/]+)/i.exec(id);
  if (!m) throw rowError("invalid", "id", "regulatory compliance assessment id does not name standard/control/assessment");
  const p = asObj(o.properties) ?? {};
  const state = str(p.state);
  if (!state || !["Passed", "Failed", "Skipped", "Unsupported"].includes(state)) throw rowError("invalid", "properties.state", `unknown state '${state}'`);
  return {
    subscriptionId: str(o.subscriptionId) ?? id.split("/")[2],
    standard: m[1],
    control: m[2],
    assessmentKey: m[3],
    state: state as ComplianceResult["state"],
    passedResources: Number(p.passedResources ?? 0),
    failedResources: Number(p.failedResources ?? 0),
    skippedResources: Number(p.skippedResources ?? 0),
  };
}

/** Defender alert (REST 2022-01-01) or a SecurityAlert table row. */
export function normalizeAlert(o: Record<string, unknown>): Alert {
  const p = asObj(o.properties);
  if (p) {
    const ids = Array.isArray(p.resourceIdentifiers) ? (p.resourceIdentifiers as Record<string, unknown>[]).map((r) => str(r.azureResourceId)).filter((x): x is string => !!x) : [];
    const sev = str(p.severity) ?? "Low";
    if (!["Informational", "Low", "Medium", "High"].includes(sev)) throw rowError("invalid", "properties.severity", `unknown severity '${sev}'`);
    return {
      id: String(o.id ?? o.name),
      alertType: str(p.alertType) ?? "",
      displayName: str(p.alertDisplayName) ?? str(p.alertType) ?? "",
      severity: sev as Alert["severity"],
      status: str(p.status) ?? "Active",
      startTime: str(p.startTimeUtc) ?? str(p.timeGeneratedUtc) ?? "",
      resourceIds: ids,
      intent: str(p.intent),
      techniques: Array.isArray(p.techniques) ? (p.techniques as unknown[]).map(String) : undefined,
      description: str(p.description),
    };
  }
  // SecurityAlert (Log Analytics) row; older exports and tools name a few columns differently
  // (Severity, StartTimeUtc, AlertDisplayName) and write "2019-01-11 06:31:40" for UTC times.
  const sevField = o.AlertSeverity !== undefined ? "AlertSeverity" : "Severity";
  const rawSev = str(o[sevField]) ?? "Low";
  const sev = ["Informational", "Low", "Medium", "High"].find((x) => x.toLowerCase() === rawSev.toLowerCase());
  if (!sev) throw rowError("invalid", sevField, `unknown severity '${rawSev}'`);
  const rid = str(o.ResourceId) ?? "";
  const startRaw = str(o.StartTime) ?? str(o.StartTimeUtc) ?? str(o.TimeGenerated);
  if (!startRaw) throw rowError("invalid", "StartTime", "missing StartTime/StartTimeUtc/TimeGenerated");
  const startMs = Date.parse(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(startRaw) ? `${startRaw.replace(" ", "T")}Z` : startRaw);
  if (Number.isNaN(startMs)) throw rowError("invalid", "StartTime", `not a date: '${startRaw}'`);
  const start = new Date(startMs).toISOString();
  return {
    id: str(o.SystemAlertId) ?? str(o.VendorOriginalId) ?? `${rid}|${str(o.AlertName)}|${start}`,
    alertType: str(o.AlertType) ?? str(o.AlertName) ?? "",
    displayName: str(o.DisplayName) ?? str(o.AlertDisplayName) ?? str(o.AlertName) ?? "",
    severity: sev as Alert["severity"],
    status: str(o.Status) ?? "New",
    startTime: start,
    resourceIds: rid ? [rid] : [],
    intent: str(o.Tactics),
    techniques: str(o.Techniques) ? String(o.Techniques).split(",").map((t) => t.trim()) : undefined,
    description: str(o.Description),
  };
}

/** Turns a RawTenant (demo, simulator, live fetch) into raw rows with origins. */
export function* rawTenantRows(t: RawTenant, label = "tenant"): Generator<RawRow> {
  const lists: [string, unknown[], RawRow["hint"]][] = [
    ["resources", t.resources, undefined],
    ["resourcecontainers", t.resourceContainers, undefined],
    ["securityresources", t.securityResources, undefined],
    ["authorizationresources", t.authorizationResources, undefined],
    ["activityLog", t.activityLog, "activity"],
    ["alerts", t.alerts, "alert"],
  ];
  for (const [name, list, hint] of lists) {
    for (let i = 0; i < list.length; i++) yield { row: list[i], hint, origin: { file: `${label}:${name}`, index: i } };
  }
}

export { normalizeActivityRow };
