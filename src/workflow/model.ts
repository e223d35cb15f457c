/**
 * The approval workflow's vocabulary: states, transitions, roles and the role × transition matrix.
 *
 * draft -> pending-review -> approved | rejected | needs-info -> scheduled -> deployed -> verified | rolled-back
 * (needs-info goes back to pending-review once the author answers; approved -> scheduled -> deployed.)
 */
export const APPROVAL_STATES = [
  "draft",
  "pending-review",
  "approved",
  "rejected",
  "needs-info",
  "scheduled",
  "deployed",
  "verified",
  "rolled-back",
] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

export const ROLES = ["viewer", "analyst", "approver", "deployer", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** Every allowed edge and the roles that may take it (admin may take every edge). */
export const TRANSITIONS: { from: ApprovalState; to: ApprovalState; roles: Role[]; action: string }[] = [
  { from: "draft", to: "pending-review", roles: ["analyst", "admin"], action: "request" },
  { from: "needs-info", to: "pending-review", roles: ["analyst", "admin"], action: "request" },
  { from: "pending-review", to: "approved", roles: ["approver", "admin"], action: "approve" },
  { from: "pending-review", to: "rejected", roles: ["approver", "admin"], action: "reject" },
  { from: "pending-review", to: "needs-info", roles: ["approver", "admin"], action: "info" },
  { from: "approved", to: "scheduled", roles: ["deployer", "admin"], action: "schedule" },
  { from: "scheduled", to: "deployed", roles: ["deployer", "admin"], action: "deploy" },
  { from: "deployed", to: "verified", roles: ["deployer", "approver", "admin"], action: "verify" },
  { from: "deployed", to: "rolled-back", roles: ["deployer", "admin"], action: "rollback" },
];

/** True when `role` may move an approval from `from` to `to` (scope and four-eyes are checked separately). */
export function canTransition(role: Role, from: ApprovalState, to: ApprovalState): boolean {
  return TRANSITIONS.some((t) => t.from === from && t.to === to && t.roles.includes(role));
}

export function isTransition(from: ApprovalState, to: ApprovalState): boolean {
  return TRANSITIONS.some((t) => t.from === from && t.to === to);
}

/** What a deploy does; the rollout phase `automatic` only runs allow-listed kinds. */
export const FIX_KINDS = ["policy-audit", "policy-deny", "policy-modify", "policy-deploy-if-not-exists"] as const;
export type FixKind = (typeof FIX_KINDS)[number];

export function fixKindFor(effect: string): FixKind {
  const e = effect.toLowerCase();
  if (e === "deny") return "policy-deny";
  if (e === "modify") return "policy-modify";
  if (e === "deployifnotexists") return "policy-deploy-if-not-exists";
  return "policy-audit";
}

export const ROLLOUT_PHASES = ["explain-only", "draft", "supervised", "automatic"] as const;
export type RolloutPhase = (typeof ROLLOUT_PHASES)[number];

export interface Decision {
  actor: string;
  time: string;
  reason: string;
}

export interface TransitionRecord {
  from: ApprovalState | null;
  to: ApprovalState;
  actor: string;
  time: string;
  reason: string;
}

/** What a deploy changed, so rollback can restore the previous state exactly. */
export interface DeploymentRecord {
  scope: string;
  definitionId: string;
  assignmentId: string;
  /** The definition and assignment as they were before (null: did not exist). */
  previousDefinition: Record<string, unknown> | null;
  previousAssignment: Record<string, unknown> | null;
  definitionVersion: string;
  effect: string;
  /** Stages reached: audit, enforce, remediate. */
  stages: string[];
  remediationId?: string;
  /** Role assignments created for the assignment's managed identity (modify / deployIfNotExists). */
  roleAssignmentIds?: string[];
  /** Resource properties a remediation changed: the values before, for the rollback PATCH. */
  reverts: { resourceId: string; before: Record<string, unknown> }[];
  resourcesAffected: number | null;
  deployedAt: string;
}

export interface Approval {
  id: string;
  findingId: string;
  title: string;
  /** ARM scope the fix is assigned at (`/subscriptions/{id}` or a management group). */
  scope: string;
  subscriptionId: string;
  environment: string;
  state: ApprovalState;
  author: string;
  createdAt: string;
  updatedAt: string;
  /** Policy definition (the `{properties: ...}` body) the deploy writes. */
  policy: Record<string, unknown>;
  policyName: string;
  /** The effect after the audit stage (Audit, Deny, Modify, DeployIfNotExists, AuditIfNotExists). */
  targetEffect: string;
  fixKind: FixKind;
  /** Resources the target effect would affect (policy what-if), null when it cannot be told offline. */
  blastRadius: number | null;
  blastRadiusNote?: string;
  requiredApprovals: number;
  approvals: Decision[];
  scheduledFor?: string;
  deployment?: DeploymentRecord;
  history: TransitionRecord[];
}
