import { z } from "zod";

/**
 * The enriched finding: the contract of `findings.json`, the API, the Sentinel row (PascalCase) and tickets.
 * Field names are fixed by architecture.md; add fields, never rename them.
 */
export const RiskFactorSchema = z.object({
  name: z.string(),
  value: z.union([z.string(), z.number(), z.boolean()]),
  weight: z.number(),
  /** Points this factor contributes; the factors' points sum to the score. */
  points: z.number(),
  reason: z.string(),
});

export const CitationSchema = z.object({ factId: z.string(), value: z.string(), source: z.string() });

/** One dossier fact: stable id, value, and where it came from (see design/explanations.md). */
export const FactSchema = z.object({ id: z.string(), value: z.string(), source: z.string() });

export const RemediationKind = z.enum(["az-cli", "powershell", "bicep", "terraform", "azure-policy", "arm"]);

export const RemediationSchema = z.object({
  kind: RemediationKind,
  title: z.string().optional(),
  content: z.string(),
  rollback: z.string(),
  precheck: z.string().optional(),
  requiredRole: z.string().optional(),
  downtime: z.string().optional(),
});
export type Remediation = z.infer<typeof RemediationSchema>;

export const FindingSchema = z.object({
  id: z.string(),
  resourceId: z.string(),
  resourceName: z.string(),
  resourceType: z.string(),
  subscriptionId: z.string(),
  resourceGroup: z.string(),
  environment: z.enum(["production", "staging", "development", "test", "shared", "unknown"]),
  recommendation: z.object({
    id: z.string(),
    name: z.string(),
    severity: z.enum(["High", "Medium", "Low"]),
    category: z.string(),
    policyDefinitionId: z.string().nullable().optional(),
    packId: z.string().nullable().optional(),
  }),
  status: z.enum(["Unhealthy", "Healthy", "NotApplicable"]),
  risk: z.object({
    score: z.number().min(0).max(100),
    level: z.enum(["critical", "high", "medium", "low"]),
    factors: z.array(RiskFactorSchema),
  }),
  owner: z.object({
    name: z.string(),
    email: z.string().nullable(),
    source: z.enum(["resource-tag", "resource-group-tag", "subscription-tag", "cmdb", "last-changer", "unknown"]),
  }),
  controls: z.array(z.object({ framework: z.string(), version: z.string(), controlId: z.string() })),
  attackPaths: z.array(z.string()),
  rootCause: z
    .object({ changeId: z.string(), caller: z.string(), time: z.string(), operation: z.string() })
    .nullable(),
  explanation: z.object({
    summary: z.string(),
    businessImpact: z.string(),
    complianceImpact: z.string(),
    recommendedAction: z.string().optional(),
    citations: z.array(CitationSchema),
    engine: z.string(),
    model: z.string().nullable(),
    grounding: z.number().min(0).max(1),
  }),
  remediation: z.array(RemediationSchema),
  exemption: z
    .object({ id: z.string(), category: z.string(), justification: z.string(), owner: z.string(), expiresOn: z.string().nullable() })
    .nullable(),
  /** Every fact the explanation may use (the dossier); explanations cite a subset by id. */
  dossier: z.array(FactSchema).optional(),
  firstSeen: z.string().optional(),
  statusChangeDate: z.string().nullable().optional(),
});
export type Finding = z.infer<typeof FindingSchema>;
export type RiskFactor = z.infer<typeof RiskFactorSchema>;
export type Citation = z.infer<typeof CitationSchema>;

/** A fact the explanation may cite: stable id, value, where it came from. */
export type Fact = z.infer<typeof FactSchema>;

export interface Dossier {
  findingId: string;
  facts: Fact[];
}
