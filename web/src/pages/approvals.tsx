import { useState } from "react";
import type { Approval } from "../api";
import { ApprovalActions, StateBadge } from "../components/approval";
import { Card, ErrorBox, fmtTime, Link, Loading } from "../components/ui";
import { useApi } from "../hooks";

const STATES = ["pending", "info-requested", "approved", "rejected", "deployed", ""] as const;

export function ApprovalsPage({ can }: { can: (p: string) => boolean }) {
  const [state, setState] = useState<string>("pending");
  const { data, error, loading, reload } = useApi<{ items: Approval[] }>(`/api/v1/approvals${state ? `?state=${state}` : ""}`);
  return (
    <div className="page">
      <div className="page-head">
        <h1>Approvals</h1>
        <p className="muted">Remediation drafts waiting for a decision. The requester of a change cannot approve it.</p>
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
                    {a.resourceName}
                  </Link>
                  <span>{a.recommendation}</span>
                  <span className="badge badge-neutral">{a.remediationKind}</span>
                  <span className="muted small">
                    risk {Math.round(a.riskScore)} · requested by {a.requestedBy} {fmtTime(a.requestedAt)}
                    {a.decidedBy ? ` · decided by ${a.decidedBy}` : ""}
                  </span>
                </div>
                {a.history.length > 1 && (
                  <ul className="history small">
                    {a.history.slice(1).map((h) => (
                      <li key={`${h.time}-${h.action}`}>
                        {h.actor} <em>{h.action}</em>
                        {h.comment ? `: ${h.comment}` : ""}
                      </li>
                    ))}
                  </ul>
                )}
                <ApprovalActions approval={a} can={can} onDone={reload} />
              </li>
            ))}
          </ul>
        </Card>
      )}
    </div>
  );
}
