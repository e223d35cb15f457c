import { createHash, randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import { ConflictError, InputError, NotAllowedError, NotFoundError } from "../domain/errors";
import type { Finding } from "../domain/finding";
import type { Store } from "../store/store";
import type { Principal } from "./rbac";

export type ApprovalState = "pending" | "info-requested" | "approved" | "rejected" | "deployed";

export interface ApprovalEvent {
  time: string;
  actor: string;
  action: "requested" | "info-requested" | "info-provided" | "approved" | "rejected" | "deployed";
  comment?: string;
}

export interface Approval {
  id: string;
  findingId: string;
  remediationKind: string;
  /** SHA-256 of the remediation draft the decision is about: a changed draft needs a new approval. */
  draftDigest: string;
  state: ApprovalState;
  requestedBy: string;
  requestedAt: string;
  updatedAt: string;
  decidedBy: string | null;
  history: ApprovalEvent[];
  /** Denormalized for the queue view. */
  resourceName: string;
  recommendation: string;
  riskScore: number;
}

/**
 * What the API needs from the approval workflow. src/workflow (the state machine, rollout phases, deploy) is the
 * real owner; until it is wired in, `LocalWorkflow` below implements the same contract on the server's tables.
 */
export interface WorkflowPort {
  requestApproval(input: { finding: Finding; remediationKind: string; comment?: string }, by: Principal): Promise<Approval>;
  approve(id: string, by: Principal, comment?: string): Promise<Approval>;
  reject(id: string, by: Principal, comment: string): Promise<Approval>;
  requestInfo(id: string, by: Principal, question: string): Promise<Approval>;
  provideInfo(id: string, by: Principal, answer: string): Promise<Approval>;
  markDeployed(id: string, by: Principal, comment?: string): Promise<Approval>;
  listApprovals(filter?: { state?: ApprovalState; findingId?: string }): Promise<Approval[]>;
  getApproval(id: string): Promise<Approval>;
}

/** Allowed transitions: action -> states it may start from. */
export const TRANSITIONS: Record<Exclude<ApprovalEvent["action"], "requested">, ApprovalState[]> = {
  approved: ["pending", "info-requested"],
  rejected: ["pending", "info-requested"],
  "info-requested": ["pending"],
  "info-provided": ["info-requested"],
  deployed: ["approved"],
};

const NEXT: Record<Exclude<ApprovalEvent["action"], "requested">, ApprovalState> = {
  approved: "approved",
  rejected: "rejected",
  "info-requested": "info-requested",
  "info-provided": "pending",
  deployed: "deployed",
};

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export class LocalWorkflow implements WorkflowPort {
  constructor(
    private db: Database.Database,
    private store: Store,
  ) {}

  async requestApproval(input: { finding: Finding; remediationKind: string; comment?: string }, by: Principal): Promise<Approval> {
    const { finding, remediationKind } = input;
    const draft = finding.remediation.find((r) => r.kind === remediationKind);
    if (!draft)
      throw new InputError(
        `finding ${finding.id} has no ${remediationKind} remediation (has ${finding.remediation.map((r) => r.kind).join(", ") || "none"})`,
        {
          field: "remediationKind",
        },
      );
    const open = (await this.listApprovals({ findingId: finding.id })).find(
      (a) => a.remediationKind === remediationKind && (a.state === "pending" || a.state === "info-requested"),
    );
    if (open) throw new ConflictError(`approval ${open.id} for this draft is already ${open.state}`);
    const time = new Date().toISOString();
    const a: Approval = {
      id: `apr-${randomUUID().slice(0, 12)}`,
      findingId: finding.id,
      remediationKind,
      draftDigest: sha256(JSON.stringify(draft)),
      state: "pending",
      requestedBy: by.name,
      requestedAt: time,
      updatedAt: time,
      decidedBy: null,
      history: [{ time, actor: by.name, action: "requested", ...(input.comment ? { comment: input.comment } : {}) }],
      resourceName: finding.resourceName,
      recommendation: finding.recommendation.name,
      riskScore: finding.risk.score,
    };
    this.db
      .prepare(
        "INSERT INTO server_approvals (id, finding_id, remediation_kind, state, requested_by, requested_at, updated_at, doc) VALUES (?,?,?,?,?,?,?,?)",
      )
      .run(a.id, a.findingId, a.remediationKind, a.state, a.requestedBy, a.requestedAt, a.updatedAt, JSON.stringify(a));
    await this.audit(a, by, "approval.requested", input.comment);
    return a;
  }

  approve(id: string, by: Principal, comment?: string): Promise<Approval> {
    return this.transition(id, by, "approved", comment);
  }

  reject(id: string, by: Principal, comment: string): Promise<Approval> {
    if (!comment?.trim()) throw new InputError("a rejection needs a reason", { field: "comment" });
    return this.transition(id, by, "rejected", comment);
  }

  requestInfo(id: string, by: Principal, question: string): Promise<Approval> {
    if (!question?.trim()) throw new InputError("say what information is needed", { field: "comment" });
    return this.transition(id, by, "info-requested", question);
  }

  provideInfo(id: string, by: Principal, answer: string): Promise<Approval> {
    if (!answer?.trim()) throw new InputError("an answer is needed", { field: "comment" });
    return this.transition(id, by, "info-provided", answer);
  }

  markDeployed(id: string, by: Principal, comment?: string): Promise<Approval> {
    return this.transition(id, by, "deployed", comment);
  }

  private async transition(id: string, by: Principal, action: keyof typeof TRANSITIONS, comment?: string): Promise<Approval> {
    const a = await this.getApproval(id);
    if (!TRANSITIONS[action].includes(a.state)) throw new ConflictError(`approval ${id} is ${a.state}; cannot mark it ${action}`);
    // Four eyes: whoever asked for a change cannot approve it.
    if (action === "approved" && a.requestedBy === by.name)
      throw new NotAllowedError("the requester cannot approve their own change", { hint: "a second approver must decide" });
    const time = new Date().toISOString();
    a.state = NEXT[action];
    a.updatedAt = time;
    if (action === "approved" || action === "rejected") a.decidedBy = by.name;
    a.history.push({ time, actor: by.name, action, ...(comment ? { comment } : {}) });
    const res = this.db
      .prepare("UPDATE server_approvals SET state = ?, updated_at = ?, doc = ? WHERE id = ? AND updated_at = ?")
      .run(a.state, a.updatedAt, JSON.stringify(a), a.id, a.history[a.history.length - 2].time);
    if (!res.changes) throw new ConflictError(`approval ${id} changed meanwhile; reload and retry`);
    await this.audit(a, by, `approval.${action}`, comment);
    return a;
  }

  async listApprovals(filter: { state?: ApprovalState; findingId?: string } = {}): Promise<Approval[]> {
    const c: string[] = [];
    const p: string[] = [];
    if (filter.state) {
      c.push("state = ?");
      p.push(filter.state);
    }
    if (filter.findingId) {
      c.push("finding_id = ?");
      p.push(filter.findingId);
    }
    const sql = `SELECT doc FROM server_approvals ${c.length ? `WHERE ${c.join(" AND ")}` : ""} ORDER BY updated_at DESC LIMIT 1000`;
    return (
      this.db
        .prepare(sql)
        .pluck()
        .all(...p) as string[]
    ).map((d) => JSON.parse(d));
  }

  async getApproval(id: string): Promise<Approval> {
    const doc = this.db.prepare("SELECT doc FROM server_approvals WHERE id = ?").pluck().get(id) as string | undefined;
    if (!doc) throw new NotFoundError(`no approval ${id}`);
    return JSON.parse(doc);
  }

  private async audit(a: Approval, by: Principal, action: string, comment?: string): Promise<void> {
    await this.store.appendAudit([
      {
        time: a.updatedAt,
        actor: by.name,
        action,
        subject: a.findingId,
        digest: a.draftDigest,
        details: {
          approvalId: a.id,
          remediationKind: a.remediationKind,
          state: a.state,
          role: by.role,
          via: by.via,
          ...(comment ? { comment } : {}),
        },
      },
    ]);
  }
}
