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

/**
 * Normalizes raw rows into typed records. Pure: no I/O. A row that fails is rejected with a reason naming
 * where it came from and the field; the others go through. accepted + rejected === read, always.
 */
export class Normalizer {
  readonly tenant = emptyTenant();
  readonly report: IngestReport = { read: 0, accepted: 0, rejected: 0, byReason: {}, errors: [] };
  private seenIds = new Set<string>();

  constructor(private readonly normalizeActivity: ActivityNormalizer = normalizeActivityRow) {}

  add(raw: RawRow): void {
    this.report.read++;
    try {
      const outcome = this.route(raw);
      if (outcome === "duplicate") this.reject(raw.origin, "duplicate", "id", "duplicate row (same id seen before); kept the first");
      else this.report.accepted++;
    } catch (e) {
      if (e instanceof InputError) this.reject(raw.origin, "invalid", e.where?.field, e.message.replace(formatWhere(e.where), ""));
      else {
        const err = e as RowError;
        this.reject(raw.origin, err.category ?? "invalid", err.field, err.message);
      }
    }
  }

  addAll(rows: Iterable<RawRow>): this {
    for (const r of rows) this.add(r);
    return this;
  }

  /** Counts a row that could not even be read (malformed JSON line, bad CSV record). */
  rejectUnreadable(origin: RowOrigin, reason: string): void {
    this.report.read++;
    this.reject(origin, "unreadable", undefined, reason);
  }

  private reject(origin: RowOrigin, category: string, field: string | undefined, reason: string): void {
    this.report.rejected++;
    this.report.byReason[category] = (this.report.byReason[category] ?? 0) + 1;
    if (this.report.errors.length < 200) this.report.errors.push({ where: formatWhere({ ...origin, field }).replace(/: $/, ""), field, reason });
  }

  private route(raw: RawRow): "ok" | "duplicate" {
    const row = raw.row;
    if (row === null || typeof row !== "object" || Array.isArray(row)) throw rowError("unknown-shape", undefined, "row is not a JSON object");
    const obj = row as Record<string, unknown>;
    if (raw.hint === "activity" || isActivityShape(obj)) {
      const ev = this.normalizeActivity(obj);
      if (!this.once(`activity|${ev.eventId}`)) return "duplicate";
      this.tenant.activity.push(ev);
      return "ok";
    }
    const type = typeof obj.type === "string" ? obj.type.toLowerCase() : undefined;
    if (raw.hint === "alert" || type === "microsoft.security/alerts" || type === "microsoft.security/locations/alerts") {
      this.tenant.alerts.push(normalizeAlert(obj));
      return "ok";
    }
    if (!type) throw rowError("unknown-shape", "type", "row has no 'type' (not an ARG row, assessment, alert or activity event)");
    if (typeof obj.id !== "string" || !obj.id) throw rowError("invalid", "id", "missing 'id'");
    if (!this.once(obj.id.toLowerCase())) return "duplicate";
    switch (type) {
      case "microsoft.security/assessments":
        this.tenant.assessments.push(normalizeAssessment(obj));
        return "ok";
      case "microsoft.security/assessments/subassessments":
        this.tenant.subAssessments.push(normalizeSubAssessment(obj));
        return "ok";
      case "microsoft.security/securescores":
        this.tenant.secureScores.push(normalizeSecureScore(obj));
        return "ok";
      case "microsoft.security/securescores/securescorecontrols":
        this.tenant.secureScoreControls.push(normalizeSecureScoreControl(obj));
        return "ok";
      case "microsoft.security/regulatorycompliancestandards/regulatorycompliancecontrols/regulatorycomplianceassessments":
        this.tenant.compliance.push(normalizeCompliance(obj));
        return "ok";
      case "microsoft.security/regulatorycompliancestandards":
      case "microsoft.security/regulatorycompliancestandards/regulatorycompliancecontrols":
        return "ok"; // summaries Clarion recomputes from the assessments
      default: {
        const parsed = ArmResourceSchema.safeParse(obj);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw rowError("invalid", issue.path.join(".") || undefined, issue.message);
        }
        this.tenant.resources.push(parsed.data as ArmResource);
        return "ok";
      }
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
  return parsed(AssessmentSchema, {
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
  });
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
  // SecurityAlert (Log Analytics) row.
  const sev = str(o.AlertSeverity) ?? "Low";
  if (!["Informational", "Low", "Medium", "High"].includes(sev)) throw rowError("invalid", "AlertSeverity", `unknown severity '${sev}'`);
  const rid = str(o.ResourceId) ?? "";
  const start = str(o.StartTime) ?? str(o.TimeGenerated);
  if (!start) throw rowError("invalid", "StartTime", "missing StartTime/TimeGenerated");
  return {
    id: str(o.SystemAlertId) ?? str(o.VendorOriginalId) ?? `${rid}|${str(o.AlertName)}|${start}`,
    alertType: str(o.AlertType) ?? str(o.AlertName) ?? "",
    displayName: str(o.DisplayName) ?? str(o.AlertName) ?? "",
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
