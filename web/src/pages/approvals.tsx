import { useState } from "react";
import type { Approval } from "../api";
import { ApprovalActions, ApprovalFacts, ApprovalHistory, approvedBy, StateBadge } from "../components/approval";
import { Card, ErrorBox, fmtTime, Link, Loading } from "../components/ui";
import { useApi } from "../hooks";

const STATES = ["pending-review", "needs-info", "approved", "scheduled", "deployed", "verified", "rejected", "rolled-back", ""] as const;

export function ApprovalsPage({ can }: { can: (p: string) => boolean }) {
  const [state, setState] = useState<string>("pending-review");
  const { data, error, loading, reload } = useApi<{ items: Approval[] }>(`/api/v1/approvals${state ? `?state=${state}` : ""}`);
  return (
    <div className="page">
      <div className="page-head">
        <h1>Approvals</h1>
        <p className="muted">
          Azure Policy fixes moving through change control. The author of a change cannot approve it; above the blast-radius limit a second approver is
          needed; deploys follow each scope's rollout phase.
        </p>
      </div>
      <div className="tabs" role="tablist" aria-label="Approval state">
        {STATES.map((s) => (
          <button key={s || "all"} type="button" role="tab" aria-selected={state === s} onClick={() => setState(s)}>
            {s || "all"}
          </button>
        ))}
      </div>
      <ErrorBox error={error} />
      {loading && !data && <Loading />}
      {data && (
        <Card>
          {data.items.length === 0 && <p className="muted">Nothing here.</p>}
          <ul className="queue">
            {data.items.map((a) => (
              <li key={a.id} className="queue-item">
                <div className="queue-main">
                  <StateBadge state={a.state} />
                  <Link to={`/findings/${a.findingId}`} className="strong">
                    {a.resourceName ?? a.findingId}
                  </Link>
                  <span>{a.recommendation ?? a.title}</span>
                  <span className="muted small">
                    {a.riskScore !== null ? `risk ${Math.round(a.riskScore)} · ` : ""}requested by {a.author} {fmtTime(a.createdAt)}
                    {a.approvals.length ? ` · approved by ${approvedBy(a)}` : ""}
                  </span>
                </div>
                <ApprovalFacts a={a} />
                {a.history.length > 2 && <ApprovalHistory a={{ ...a, history: a.history.slice(2) }} />}
                <ApprovalActions approval={a} can={can} onDone={reload} />
              </li>
            ))}
          </ul>
        </Card>
      )}
    </div>
  );
}
