import { useState } from "react";
import { type Approval, api } from "../api";
import { ErrorBox } from "./ui";

export function StateBadge({ state }: { state: Approval["state"] }) {
  return <span className={`badge badge-state-${state}`}>{state}</span>;
}

/** Approve / reject / ask for info (approvers), answer (requesters), mark deployed (deployers). */
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
  const decide = can("approval:decide") && (approval.state === "pending" || approval.state === "info-requested");
  const answer = can("approval:request") && approval.state === "info-requested";
  const deploy = can("deploy") && approval.state === "approved";
  if (!decide && !answer && !deploy) return null;
  return (
    <div className="actions">
      <label>
        <span className="sr-only">Comment</span>
        <input value={comment} onChange={(e) => setComment(e.target.value)} placeholder={answer && !decide ? "Your answer" : "Comment (required to reject or ask)"} />
      </label>
      {decide && (
        <>
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => act("approve")}>
            Approve
          </button>
          <button type="button" className="btn btn-danger" disabled={busy} onClick={() => act("reject")}>
            Reject
          </button>
          {approval.state === "pending" && (
            <button type="button" className="btn" disabled={busy} onClick={() => act("request-info")}>
              Ask for info
            </button>
          )}
        </>
      )}
      {answer && (
        <button type="button" className="btn" disabled={busy} onClick={() => act("provide-info")}>
          Send answer
        </button>
      )}
      {deploy && (
        <button type="button" className="btn" disabled={busy} onClick={() => act("deploy")}>
          Mark deployed
        </button>
      )}
      <ErrorBox error={err} />
    </div>
  );
}
