import { useState } from "react";
import { type Approval, api } from "../api";
import { ErrorBox, fmtTime } from "./ui";

export function StateBadge({ state }: { state: Approval["state"] }) {
  return <span className={`badge badge-state-${state}`}>{state}</span>;
}

/** Who decided: the approvers so far (several when the blast radius needs a second one). */
export function approvedBy(a: Approval): string {
  return a.approvals.map((d) => d.actor).join(", ");
}

/** One line of facts about the change: effect, blast radius, approvals, rollout phase, schedule, deployment. */
export function ApprovalFacts({ a }: { a: Approval }) {
  return (
    <span className="muted small">
      {a.targetEffect} via Azure Policy · blast radius {a.blastRadius ?? "unknown"} resource(s) · {a.approvals.length}/{a.requiredApprovals} approval(s) · phase{" "}
      {a.phase}
      {a.scheduledFor ? ` · scheduled ${fmtTime(a.scheduledFor)}` : ""}
      {a.deployment ? ` · definition ${a.deployment.definitionVersion}, ${a.deployment.stages.join(" → ")}` : ""}
    </span>
  );
}

export function ApprovalHistory({ a }: { a: Approval }) {
  return (
    <ul className="history small">
      {a.history.map((h, i) => (
        <li key={`${h.time}-${h.to}-${i}`}>
          <span className="muted">{fmtTime(h.time)}</span> {h.actor} <em>{h.from ? `${h.from} → ${h.to}` : h.to}</em>
          {h.reason ? `: ${h.reason}` : ""}
        </li>
      ))}
      {a.state === "pending-review" &&
        a.approvals.map((d) => (
          <li key={`ap-${d.actor}`}>
            <span className="muted">{fmtTime(d.time)}</span> {d.actor} <em>approved (1 of {a.requiredApprovals})</em>
            {d.reason ? `: ${d.reason}` : ""}
          </li>
        ))}
    </ul>
  );
}

/**
 * The workflow actions the signed-in role may take in this state. The server (the workflow engine) re-checks
 * everything — four eyes, scope, rollout phase, blast radius — and its refusal is shown with its reason.
 */
export function ApprovalActions({ approval, can, onDone }: { approval: Approval; can: (p: string) => boolean; onDone: () => void }) {
  const [comment, setComment] = useState("");
  const [err, setErr] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const act = async (path: string) => {
    setBusy(true);
    setErr(undefined);
    try {
      await api(`/api/v1/approvals/${approval.id}/${path}`, { method: "POST", body: { comment: comment || undefined } });
      setComment("");
      onDone();
    } catch (e) {
      setErr(e as Error);
    } finally {
      setBusy(false);
    }
  };
  const s = approval.state;
  const decide = can("approval:decide") && s === "pending-review";
  const answer = can("approval:request") && (s === "needs-info" || s === "draft");
  const schedule = can("deploy") && s === "approved";
  const deploy = can("deploy") && (s === "approved" || s === "scheduled");
  const after = s === "deployed";
  const rollback = can("deploy") && after;
  const verify = can("deploy:verify") && after;
  if (!decide && !answer && !deploy && !rollback && !verify) return null;
  const btn = (label: string, path: string, cls = "btn") => (
    <button type="button" className={cls} disabled={busy} onClick={() => act(path)}>
      {label}
    </button>
  );
  return (
    <div className="actions">
      <label>
        <span className="sr-only">Comment</span>
        <input
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          placeholder={answer && !decide ? (s === "draft" ? "Note for the approver" : "Your answer") : "Comment (required to reject or ask)"}
        />
      </label>
      {decide && (
        <>
          {btn("Approve", "approve", "btn btn-primary")}
          {btn("Reject", "reject", "btn btn-danger")}
          {btn("Ask for info", "request-info")}
        </>
      )}
      {answer && btn(s === "draft" ? "Submit for review" : "Send answer", "provide-info")}
      {schedule && btn("Schedule now", "schedule")}
      {deploy && btn("Deploy", "deploy", "btn btn-primary")}
      {verify && btn("Verify", "verify")}
      {rollback && btn("Roll back", "rollback", "btn btn-danger")}
      <ErrorBox error={err} />
    </div>
  );
}
