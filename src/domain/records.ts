import { z } from "zod";

/** Normalized records: what every source (demo, files, Azure APIs) is turned into before the pipeline. */

export const AssessmentStatus = z.enum(["Healthy", "Unhealthy", "NotApplicable"]);
export type AssessmentStatus = z.infer<typeof AssessmentStatus>;

export const Severity = z.enum(["High", "Medium", "Low"]);
export type Severity = z.infer<typeof Severity>;

export const AssessmentSchema = z.object({
  /** ARM id of the assessment: `{resourceId}/providers/Microsoft.Security/assessments/{key}`. */
  id: z.string().min(1),
  assessmentKey: z.string().min(1),
  resourceId: z.string().min(1),
  displayName: z.string(),
  status: AssessmentStatus,
  cause: z.string().optional(),
  statusDescription: z.string().optional(),
  firstEvaluationDate: z.string().optional(),
  statusChangeDate: z.string().optional(),
  severity: Severity.optional(),
  policyDefinitionId: z.string().optional(),
  categories: z.array(z.string()).optional(),
  threats: z.array(z.string()).optional(),
  userImpact: z.string().optional(),
  implementationEffort: z.string().optional(),
  description: z.string().optional(),
  remediationDescription: z.string().optional(),
});
export type Assessment = z.infer<typeof AssessmentSchema>;

export const SubAssessmentSchema = z.object({
  id: z.string().min(1),
  parentKey: z.string().min(1),
  resourceId: z.string().min(1),
  /** Vulnerability or check id (e.g. a CVE id). */
  findingId: z.string(),
  displayName: z.string(),
  status: AssessmentStatus,
  severity: Severity.optional(),
  cves: z.array(z.string()).default([]),
  cvss: z.number().optional(),
  patchable: z.boolean().optional(),
});
export type SubAssessment = z.infer<typeof SubAssessmentSchema>;

export const ActivityEventSchema = z.object({
  eventId: z.string().min(1),
  correlationId: z.string(),
  time: z.string().min(1),
  caller: z.string(),
  operationName: z.string().min(1),
  resourceId: z.string().min(1),
  status: z.string(),
  category: z.string().default("Administrative"),
  level: z.string().default("Informational"),
  callerIpAddress: z.string().optional(),
  clientAppId: z.string().optional(),
  subscriptionId: z.string().optional(),
  resourceGroup: z.string().optional(),
  /** Free-form properties (request body summary, deployment name...). */
  properties: z.record(z.string(), z.unknown()).optional(),
});
export type ActivityEvent = z.infer<typeof ActivityEventSchema>;

export const AlertSchema = z.object({
  id: z.string().min(1),
  alertType: z.string(),
  displayName: z.string(),
  severity: z.enum(["Informational", "Low", "Medium", "High"]),
  status: z.string().default("Active"),
  startTime: z.string(),
  resourceIds: z.array(z.string()),
  intent: z.string().optional(),
  techniques: z.array(z.string()).optional(),
  description: z.string().optional(),
});
export type Alert = z.infer<typeof AlertSchema>;

export const SecureScoreControlSchema = z.object({
  id: z.string(),
  subscriptionId: z.string(),
  displayName: z.string(),
  maxScore: z.number(),
  currentScore: z.number(),
  weight: z.number(),
  healthyResourceCount: z.number(),
  unhealthyResourceCount: z.number(),
  notApplicableResourceCount: z.number(),
  assessmentKeys: z.array(z.string()),
});
export type SecureScoreControl = z.infer<typeof SecureScoreControlSchema>;

export const SecureScoreSchema = z.object({
  subscriptionId: z.string(),
  current: z.number(),
  max: z.number(),
  percentage: z.number(),
  weight: z.number().optional(),
});
export type SecureScore = z.infer<typeof SecureScoreSchema>;

export const ComplianceResultSchema = z.object({
  subscriptionId: z.string(),
  standard: z.string(),
  control: z.string(),
  assessmentKey: z.string(),
  state: z.enum(["Passed", "Failed", "Skipped", "Unsupported"]),
  passedResources: z.number().default(0),
  failedResources: z.number().default(0),
  skippedResources: z.number().default(0),
});
export type ComplianceResult = z.infer<typeof ComplianceResultSchema>;

export interface Subscription {
  subscriptionId: string;
  displayName: string;
  tags: Record<string, string>;
}
