import type { Approval, ApprovalState, RolloutPhase } from "../workflow";
import type { Principal } from "./rbac";

export type { Approval, ApprovalState };

/** An approval as the API returns it: the engine's record plus what the queue view shows beside it. */
export interface ApprovalView extends Approval {
  /** Rollout phase of the approval's scope now (explain-only, draft, supervised, automatic). */
  phase: RolloutPhase;
  /** From the finding, for the queue (null when the finding is no longer stored). */
  resourceName: string | null;
  recommendation: string | null;
  riskScore: number | null;
}

export interface ApprovalFilter {
  state?: ApprovalState;
  findingId?: string;
}

/**
 * What the API needs from the approval workflow. The real implementation is `EngineWorkflow`
 * (engine-workflow.ts) over src/workflow; the principal is always the authenticated caller, and an approval
 * outside a scoped principal's subscription does not exist for it (404).
 */
export interface WorkflowPort {
  /** Drafts the finding's Azure Policy fix and submits it for review (`submit: false` stops at draft). */
  request(by: Principal, input: { findingId: string; effect?: string; reason?: string; submit?: boolean }): Promise<ApprovalView>;
  /** The author answers an information request (or submits a draft): back to pending-review. */
  resubmit(by: Principal, id: string, reason: string): Promise<ApprovalView>;
  approve(by: Principal, id: string, reason?: string): Promise<ApprovalView>;
  reject(by: Principal, id: string, reason: string): Promise<ApprovalView>;
  requestInfo(by: Principal, id: string, question: string): Promise<ApprovalView>;
  schedule(by: Principal, id: string, input: { at?: string; reason?: string }): Promise<ApprovalView>;
  /** Deploys through Azure Policy; the engine enforces rollout phase, role, schedule and blast radius. */
  deploy(by: Principal, id: string, input: { reason?: string; location?: string }): Promise<ApprovalView>;
  rollback(by: Principal, id: string, reason?: string): Promise<ApprovalView>;
  verify(by: Principal, id: string, reason?: string): Promise<ApprovalView>;
  list(by: Principal, filter?: ApprovalFilter): Promise<ApprovalView[]>;
  get(by: Principal, id: string): Promise<ApprovalView>;
  close?(): void;
}
