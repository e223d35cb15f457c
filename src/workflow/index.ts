/**
 * Governed remediation: the approval state machine, roles and rollout phases per scope, deploy and rollback
 * through Azure Policy, tuning suggestions. Pure functions over a `WorkflowContext` (the API server and the
 * CLI both call these).
 */

export type { GovernanceConfig } from "./config";
export { loadGovernanceConfig, parseGovernanceConfig, phaseFor, rolesOn, scopeChain } from "./config";
export type { Approval, ApprovalState, DeploymentRecord, FixKind, Role, RolloutPhase } from "./model";
export { APPROVAL_STATES, canTransition, FIX_KINDS, fixKindFor, ROLES, ROLLOUT_PHASES, TRANSITIONS } from "./model";
export { PolicyWriteClient } from "./policy-client";
export type { ApprovalRepo } from "./repo";
export { migrateWorkflow, SqliteApprovalRepo, StoreApprovalRepo, WORKFLOW_MIGRATIONS } from "./repo";
export type { WorkflowContext } from "./service";
export {
  approve,
  automaticEligibility,
  blastRadius,
  deploy,
  getApproval,
  listApprovals,
  openWorkflow,
  reject,
  requestApproval,
  requestInfo,
  rollback,
  schedule,
  verify,
} from "./service";
