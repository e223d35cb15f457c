import type { AzureContext, OperationOptions } from "./client";

export const SECURITY_API = {
  assessments: "2021-06-01",
  subAssessments: "2019-01-01-preview",
  secureScores: "2020-01-01",
  regulatory: "2019-01-01-preview",
  alerts: "2022-01-01",
  governance: "2022-01-01-preview",
} as const;

type Arm = Record<string, unknown>;
const sub = (s: string) => `/subscriptions/${encodeURIComponent(s)}`;

export interface ListAssessmentsOptions extends OperationOptions {
  resourceGroup?: string;
  /** `links`, `metadata` or both. */
  expand?: ("links" | "metadata")[];
}

/** Defender assessments of a subscription (or one resource group). */
export function listAssessments(ctx: AzureContext, subscriptionId: string, opts: ListAssessmentsOptions = {}): AsyncIterable<Arm> {
  const scope = sub(subscriptionId) + (opts.resourceGroup ? `/resourceGroups/${encodeURIComponent(opts.resourceGroup)}` : "");
  return ctx.list(ctx.armUrl(`${scope}/providers/Microsoft.Security/assessments`, SECURITY_API.assessments, { $expand: opts.expand?.join(",") }), opts);
}

/** One assessment of one resource. */
export function getAssessment(ctx: AzureContext, resourceId: string, assessmentName: string, opts: ListAssessmentsOptions = {}): Promise<Arm> {
  return ctx.get(ctx.armUrl(`${resourceId}/providers/Microsoft.Security/assessments/${encodeURIComponent(assessmentName)}`, SECURITY_API.assessments, { $expand: opts.expand?.join(",") }), opts);
}

/** Built-in assessment metadata (tenant level), or a subscription's custom metadata. */
export function listAssessmentMetadata(ctx: AzureContext, opts: OperationOptions & { subscriptionId?: string } = {}): AsyncIterable<Arm> {
  const scope = opts.subscriptionId ? sub(opts.subscriptionId) : "";
  return ctx.list(ctx.armUrl(`${scope}/providers/Microsoft.Security/assessmentMetadata`, SECURITY_API.assessments), opts);
}

/** Sub-assessments of a scope (`/subscriptions/{id}`), or of one assessment (its ARM id). */
export function listSubAssessments(ctx: AzureContext, scopeOrAssessmentId: string, opts: OperationOptions = {}): AsyncIterable<Arm> {
  const path = /\/assessments\/[^/]+$/i.test(scopeOrAssessmentId)
    ? `${scopeOrAssessmentId}/subAssessments`
    : `${scopeOrAssessmentId}/providers/Microsoft.Security/subAssessments`;
  return ctx.list(ctx.armUrl(path, SECURITY_API.subAssessments), opts);
}

export function listSecureScores(ctx: AzureContext, subscriptionId: string, opts: OperationOptions = {}): AsyncIterable<Arm> {
  return ctx.list(ctx.armUrl(`${sub(subscriptionId)}/providers/Microsoft.Security/secureScores`, SECURITY_API.secureScores), opts);
}

/** Secure score controls, with their definitions (`$expand=definition`). */
export function listSecureScoreControls(ctx: AzureContext, subscriptionId: string, opts: OperationOptions & { secureScoreName?: string } = {}): AsyncIterable<Arm> {
  const path = opts.secureScoreName
    ? `${sub(subscriptionId)}/providers/Microsoft.Security/secureScores/${encodeURIComponent(opts.secureScoreName)}/secureScoreControls`
    : `${sub(subscriptionId)}/providers/Microsoft.Security/secureScoreControls`;
  return ctx.list(ctx.armUrl(path, SECURITY_API.secureScores, { $expand: "definition" }), opts);
}

export function listRegulatoryStandards(ctx: AzureContext, subscriptionId: string, opts: OperationOptions = {}): AsyncIterable<Arm> {
  return ctx.list(ctx.armUrl(`${sub(subscriptionId)}/providers/Microsoft.Security/regulatoryComplianceStandards`, SECURITY_API.regulatory), opts);
}

export function listRegulatoryControls(ctx: AzureContext, subscriptionId: string, standard: string, opts: OperationOptions = {}): AsyncIterable<Arm> {
  return ctx.list(
    ctx.armUrl(`${sub(subscriptionId)}/providers/Microsoft.Security/regulatoryComplianceStandards/${encodeURIComponent(standard)}/regulatoryComplianceControls`, SECURITY_API.regulatory),
    opts,
  );
}

export function listRegulatoryAssessments(ctx: AzureContext, subscriptionId: string, standard: string, control: string, opts: OperationOptions = {}): AsyncIterable<Arm> {
  return ctx.list(
    ctx.armUrl(
      `${sub(subscriptionId)}/providers/Microsoft.Security/regulatoryComplianceStandards/${encodeURIComponent(standard)}/regulatoryComplianceControls/${encodeURIComponent(control)}/regulatoryComplianceAssessments`,
      SECURITY_API.regulatory,
    ),
    opts,
  );
}

/** Defender alerts of a subscription (or one resource group). */
export function listAlerts(ctx: AzureContext, subscriptionId: string, opts: OperationOptions & { resourceGroup?: string } = {}): AsyncIterable<Arm> {
  const scope = sub(subscriptionId) + (opts.resourceGroup ? `/resourceGroups/${encodeURIComponent(opts.resourceGroup)}` : "");
  return ctx.list(ctx.armUrl(`${scope}/providers/Microsoft.Security/alerts`, SECURITY_API.alerts), opts);
}

/** Governance assignments (owner + due date) of one assessment (its ARM id). */
export function listGovernanceAssignments(ctx: AzureContext, assessmentId: string, opts: OperationOptions = {}): AsyncIterable<Arm> {
  return ctx.list(ctx.armUrl(`${assessmentId}/governanceAssignments`, SECURITY_API.governance), opts);
}
