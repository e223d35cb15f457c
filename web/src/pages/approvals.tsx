import { useId, useState } from "react";
import type { Approval } from "../api";
import { ApprovalActions, ApprovalFacts, ApprovalHistory, approvedBy, StateBadge } from "../components/approval";
import { Card, ErrorBox, fmtTime, Link, Loading, Tabs, tabId, tabPanelId } from "../components/ui";
import { useApi } from "../hooks";

const STATES = ["pending-review", "needs-info", "approved", "scheduled", "deployed", "verified", "rejected", "rolled-back", ""] as const;

export function ApprovalsPage({ can }: { can: (p: string) => boolean }) {
  const [state, setState] = useState<(typeof STATES)[number]>("pending-review");
  const idBase = useId();
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
      <Tabs label="Approval state" idBase={idBase} tabs={STATES.map((s) => s || "all")} selected={STATES.indexOf(state)} onSelect={(i) => setState(STATES[i])} />
      <div id={tabPanelId(idBase)} role="tabpanel" aria-labelledby={tabId(idBase, STATES.indexOf(state))} className="stack">
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
    </div>
  );
}
