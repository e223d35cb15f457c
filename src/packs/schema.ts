import { z } from "zod";
import type { ArmResource } from "../domain/resource";
import type { Remediation } from "../domain/finding";

/** `pack.yaml`: the metadata of one knowledge pack (one Defender recommendation family). */
export const PackMetaSchema = z.strictObject({
  /** Folder name; kebab-case; unique. */
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  /** Stable opaque reference, never reused (e.g. CLR-STO-001). */
  ref: z.string().regex(/^CLR-[A-Z]{2,5}-\d{3}$/),
  title: z.string().min(5),
  service: z.string().min(2),
  /** ARM types the recommendation applies to, in ARM casing (Microsoft.Storage/storageAccounts). */
  resourceTypes: z.array(z.string().includes("/")).min(1),
  severity: z.enum(["High", "Medium", "Low"]),
  category: z.enum(["Compute", "Networking", "Data", "IdentityAndAccess", "IoT", "Monitoring", "Containers", "DevOps"]),
  /** Defender assessment keys (GUIDs) this pack answers for; from the real recommendation reference. */
  assessmentKeys: z.array(z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i)).default([]),
  /** Built-in policy definition ids (`/providers/Microsoft.Authorization/policyDefinitions/<guid>`). */
  policyDefinitionIds: z.array(z.string().startsWith("/providers/Microsoft.Authorization/policyDefinitions/")).default([]),
  /** Display names exports carry, for matching when neither key nor policy id is present. */
  displayNames: z.array(z.string()).min(1),
  threats: z.array(z.string()).default([]),
  /** What the fix touches, for the explanation's last sentence and the approval queue. */
  fix: z.strictObject({
    requiredRole: z.string(),
    downtime: z.enum(["none", "brief", "restart", "planned"]),
    /** Kinds of remediation this pack generates. */
    kinds: z.array(z.enum(["az-cli", "powershell", "bicep", "terraform", "azure-policy", "arm"])).min(1),
  }),
});
export type PackMeta = z.infer<typeof PackMetaSchema>;

/** Fixed sections of `explain.md`, in this order. Text may use `{{fact.id}}` slots from the dossier. */
export const EXPLAIN_SECTIONS = ["Role", "Risk", "Worst case", "Data at stake", "Why regulators care", "Fix"] as const;
export type ExplainSection = (typeof EXPLAIN_SECTIONS)[number];

export type EvaluationResult = "compliant" | "noncompliant" | "notApplicable" | "errored";
export interface Evaluation {
  result: EvaluationResult;
  /** Plain words: why this result (cites the property that decided). */
  reason: string;
  /** The property path and value that decided, for the dossier. */
  evidence?: { path: string; value: unknown }[];
}

/** What `evaluate` sees: the resource and a look-up of related resources in the same estate. */
export interface EvaluationContext {
  /** Resources of a type (ARM casing or lower-case) in the same subscription. */
  related(type: string): ArmResource[];
  /** Resources whose id starts with this resource's id (children, extensions, diagnostic settings). */
  children(): ArmResource[];
}

/** What `remediate` sees: enough to write exact commands for one resource. */
export interface RemediationContext {
  resource: ArmResource;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  /** Number of resources in scope with the same finding (blast radius for policy drafts). */
  affectedCount: number;
}

export interface PackModule {
  /** Decides the recommendation's status from the resource's properties (pure). */
  evaluate(resource: ArmResource, ctx: EvaluationContext): Evaluation;
  /** Drafts remediation with rollback (pure). */
  remediate(ctx: RemediationContext): Remediation[];
}

export interface Pack {
  meta: PackMeta;
  explain: Record<ExplainSection, string>;
  module: PackModule;
  dir: string;
}
