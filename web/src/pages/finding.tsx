import { useEffect, useId, useState } from "react";
import { ApiError, type Approval, type AttackPath, api, type Finding, type Incident, qs } from "../api";
import { ApprovalActions, ApprovalFacts, ApprovalHistory, approvedBy, StateBadge } from "../components/approval";
import { Badge, Card, CopyButton, ErrorBox, fmtTime, fwLabel, Link, Loading, RiskBadge, Tabs, tabId, tabPanelId } from "../components/ui";
import { useApi } from "../hooks";
import { historyState, isPlainClick, navigate } from "../router";

interface Detail {
  finding: Finding;
  attackPaths: AttackPath[];
  approvals: Approval[];
  incidents: Incident[];
}

interface WhatIf {
  effect: string;
  evaluated: number;
  counts: { compliant: number; noncompliant: number; notApplicable: number; errored: number };
  impact: { action: string; count: number };
  complianceDelta: { compliancePercent: number | null; applicable: number };
  byEnvironment: { environment: string; noncompliant: number; compliant: number }[];
  includesThisResource: boolean;
  sample: { id: string; reason: string }[];
  allowedEffects: string[];
  warnings: string[];
}

const KIND_LABEL: Record<string, string> = { "az-cli": "Azure CLI", powershell: "PowerShell", bicep: "Bicep", terraform: "Terraform", arm: "ARM", "azure-policy": "Azure Policy" };

/** Back to the findings list: the very entry we came from (its filters, scroll and focused row), else a fresh list. */
function backToFindings(): void {
  if (historyState<boolean>("fromList")) history.back();
  else navigate("/findings");
}

const isEditable = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));

/** Escape (outside a form field) closes the finding and returns to the list. */
function useEscapeBack(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape" || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || isEditable(e.target)) return;
      e.preventDefault();
      backToFindings();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
}

export function FindingPage({ id, can }: { id: string; can: (p: string) => boolean }) {
  const { data, error, loading, reload } = useApi<Detail>(`/api/v1/findings/${encodeURIComponent(id)}`);
  useEscapeBack();
  if (error) return <ErrorBox error={error} />;
  if (loading && !data) return <Loading what="Loading finding" />;
  if (!data) return null;
  const f = data.finding;
  const e = f.explanation;
  return (
    <div className="page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <a
          href={historyState<string>("listUrl") ?? "/findings"}
          onClick={(ev) => {
            if (!isPlainClick(ev)) return;
            ev.preventDefault();
            backToFindings();
          }}
        >
          Findings
        </a>{" "}
        <span aria-hidden="true">/</span> <span aria-current="page">{f.id}</span>
      </nav>
      <div className="finding-head">
        <div>
          <h1>{f.recommendation.name}</h1>
          <p className="finding-sub">
            <span className="strong">{f.resourceName}</span> · {f.resourceType} · {f.resourceGroup} · <span className="muted">{f.environment}</span>
          </p>
          <div className="tags">
            <RiskBadge score={f.risk.score} level={f.risk.level} />
            <Badge kind={f.recommendation.severity}>{f.recommendation.severity} severity</Badge>
            <Badge kind="neutral">{f.recommendation.category}</Badge>
            <Badge kind="neutral" title={`owner from ${f.owner.source}`}>
              owner: {f.owner.name}
            </Badge>
            {f.exemption && (
              <Badge kind="exempt" title={f.exemption.justification}>
                exempt ({f.exemption.category}) until {f.exemption.expiresOn?.slice(0, 10)}
              </Badge>
            )}
          </div>
        </div>
        <Feedback id={f.id} can={can} />
      </div>

      <div className="grid-detail">
        <div className="stack">
          <Card title="Why it matters" className="explanation">
            <p className="lead" data-testid="explanation-summary">
              {e.summary}
            </p>
            <h3>Business impact</h3>
            <p>{e.businessImpact}</p>
            <h3>Compliance impact</h3>
            <p>{e.complianceImpact}</p>
            {e.recommendedAction && (
              <>
                <h3>What to do</h3>
                <p>{e.recommendedAction}</p>
              </>
            )}
            <details className="citations" open>
              <summary>
                {e.citations.length} cited facts · {e.engine}
                {e.model ? ` (${e.model})` : ""} · grounding {Math.round(e.grounding * 100)}%
              </summary>
              <table className="table compact">
                <thead>
                  <tr>
                    <th scope="col">Fact</th>
                    <th scope="col">Value</th>
                    <th scope="col">Source</th>
                  </tr>
                </thead>
                <tbody>
                  {e.citations.map((c) => (
                    <tr key={c.factId}>
                      <td>
                        <code>{c.factId}</code>
                      </td>
                      <td>{c.value}</td>
                      <td className="muted">{c.source}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          </Card>
          <Remediations finding={f} />
          <ChangeControl finding={f} approvals={data.approvals} can={can} onChange={reload} />
          <WhatIfPanel id={f.id} hasPolicy={f.remediation.some((r) => r.kind === "azure-policy")} />
        </div>
        <div className="stack">
          {data.incidents.length > 0 && <Incidents list={data.incidents} />}
          <Card title="Why this rank">
            <ul className="factors">
              {f.risk.factors.map((x) => (
                <li key={x.name}>
                  <div className="factor-head">
                    <span>{x.name}</span>
                    <span className="num">+{Math.round(x.points * 10) / 10}</span>
                  </div>
                  <div className="meter" aria-hidden="true">
                    <span style={{ width: `${x.weight ? Math.min(100, (x.points / x.weight) * 100) : 0}%` }} />
                  </div>
                  <div className="muted small">{x.reason}</div>
                </li>
              ))}
            </ul>
          </Card>
          {data.attackPaths.length > 0 && (
            <Card title="On attack paths" actions={<Link to="/paths">Graph →</Link>}>
              <ul className="list">
                {data.attackPaths.map((p) => (
                  <li key={p.id}>
                    <Badge kind="high">risk {Math.round(p.risk)}</Badge> {p.summary}
                  </li>
                ))}
              </ul>
            </Card>
          )}
          <Card title="Root cause">
            {f.rootCause ? (
              <p>
                <strong>{f.rootCause.caller}</strong> ran <code>{f.rootCause.operation}</code> at {fmtTime(f.rootCause.time)}{" "}
                <span className="muted small">(change {f.rootCause.changeId.slice(0, 8)})</span>
              </p>
            ) : (
              <p className="muted">No drift cause found in the Activity Log window.</p>
            )}
          </Card>
          <Card title={`Controls (${f.controls.length})`}>
            <div className="tags">
              {f.controls.map((c) => (
                <Link key={`${c.framework}/${c.controlId}`} to={`/compliance?framework=${c.framework}`} className="control-chip">
                  {fwLabel(c.framework)} {c.controlId}
                </Link>
              ))}
            </div>
          </Card>
          {can("exemption:write") && !f.exemption && <ExemptForm id={f.id} onDone={reload} />}
          {can("audit:read") && <History id={f.id} />}
        </div>
      </div>
    </div>
  );
}

function Remediations({ finding }: { finding: Finding }) {
  const [tab, setTab] = useState(0);
  const idBase = useId();
  const list = finding.remediation;
  if (!list.length) return <Card title="Remediation">No remediation drafted.</Card>;
  const selected = Math.min(tab, list.length - 1);
  const r = list[selected];
  return (
    <Card title="Remediation (draft until approved)">
      <Tabs label="Remediation formats" idBase={idBase} tabs={list.map((x) => KIND_LABEL[x.kind] ?? x.kind)} selected={selected} onSelect={setTab} />
      <div id={tabPanelId(idBase)} role="tabpanel" aria-labelledby={tabId(idBase, selected)} className="rpanel">
        {r.title && <p className="strong">{r.title}</p>}
        <div className="meta-row">
          {r.requiredRole && <span>Needs: {r.requiredRole}</span>}
          {r.downtime && <span>Downtime: {r.downtime}</span>}
        </div>
        {r.precheck && (
          <>
            <div className="code-head">
              <h3>Check first</h3>
              <CopyButton text={r.precheck} />
            </div>
            <pre className="code">{r.precheck}</pre>
          </>
        )}
        <div className="code-head">
          <h3>Apply</h3>
          <CopyButton text={r.content} label="Copy fix" />
        </div>
        <pre className="code" data-testid="remediation-content">
          {r.content}
        </pre>
        <div className="code-head">
          <h3>Roll back</h3>
          <CopyButton text={r.rollback} label="Copy rollback" />
        </div>
        <pre className="code code-rollback">{r.rollback}</pre>
      </div>
    </Card>
  );
}

const OPEN = ["draft", "pending-review", "needs-info", "approved", "scheduled", "deployed"];

/** The finding's fix through change control: the Azure Policy draft is what gets approved and deployed. */
function ChangeControl({ finding, approvals, can, onChange }: { finding: Finding; approvals: Approval[]; can: (p: string) => boolean; onChange: () => void }) {
  const [err, setErr] = useState<Error>();
  const [note, setNote] = useState("");
  const hasPolicy = finding.remediation.some((r) => r.kind === "azure-policy");
  const open = approvals.find((a) => OPEN.includes(a.state));
  return (
    <Card title="Change control">
      {!hasPolicy && <p className="muted">This finding has no Azure Policy fix, so there is nothing to deploy through change control; apply a script above by hand.</p>}
      {hasPolicy && approvals.length === 0 && <p className="muted">No approval requested yet. Requesting one drafts the Azure Policy fix, measures its blast radius and sends it for review.</p>}
      {approvals.map((a) => (
        <div key={a.id} className="approval-item">
          <div>
            <StateBadge state={a.state} /> requested by <strong>{a.author}</strong> {fmtTime(a.createdAt)}
            {a.approvals.length > 0 && (
              <>
                {" "}
                · approved by <strong>{approvedBy(a)}</strong>
              </>
            )}
          </div>
          <ApprovalFacts a={a} />
          <ApprovalHistory a={a} />
          <ApprovalActions approval={a} can={can} onDone={onChange} />
        </div>
      ))}
      {hasPolicy && !open && can("approval:request") && (
        <form
          className="inline-form"
          onSubmit={async (ev) => {
            ev.preventDefault();
            setErr(undefined);
            try {
              await api("/api/v1/approvals", { method: "POST", body: { findingId: finding.id, comment: note || undefined } });
              setNote("");
              onChange();
            } catch (x) {
              setErr(x as Error);
            }
          }}
        >
          <label>
            <span className="sr-only">Note for the approver</span>
            <input value={note} onChange={(e) => setNote(e.target.value)} placeholder="Note for the approver (optional)" />
          </label>
          <button className="btn btn-primary" type="submit">
            Request approval
          </button>
        </form>
      )}
      <ErrorBox error={err} />
    </Card>
  );
}

/** Sentinel incidents that named this finding (posted by the Clarion playbook). */
function Incidents({ list }: { list: Incident[] }) {
  return (
    <Card title={`Sentinel incidents (${list.length})`}>
      <ul className="list">
        {list.map((i) => (
          <li key={i.incidentArmId} data-testid="incident">
            <Badge kind={(i.severity ?? "neutral").toLowerCase() === "high" ? "high" : "neutral"}>{i.severity ?? "?"}</Badge>{" "}
            {i.incidentUrl ? (
              <a href={i.incidentUrl} target="_blank" rel="noreferrer noopener">
                #{i.incidentNumber ?? "?"} {i.title}
              </a>
            ) : (
              <span>
                #{i.incidentNumber ?? "?"} {i.title}
              </span>
            )}
            <div className="muted small">
              {i.status ?? "unknown status"} · created {i.createdTimeUtc ? fmtTime(i.createdTimeUtc) : "?"} · received {fmtTime(i.receivedAt)}
            </div>
          </li>
        ))}
      </ul>
    </Card>
  );
}

function WhatIfPanel({ id, hasPolicy }: { id: string; hasPolicy: boolean }) {
  const [effect, setEffect] = useState("");
  const [run, setRun] = useState<string | null>(null);
  const { data, error, loading } = useApi<WhatIf>(run);
  if (!hasPolicy) return null;
  return (
    <Card
      title="Policy what-if"
      actions={
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            setRun(`/api/v1/findings/${encodeURIComponent(id)}/whatif${qs({ effect })}`);
          }}
        >
          <label>
            <span className="sr-only">Effect</span>
            <select value={effect} onChange={(e) => setEffect(e.target.value)}>
              <option value="">Draft's default effect</option>
              {(data?.allowedEffects ?? ["Audit", "Deny", "Disabled"]).map((x) => (
                <option key={x} value={x}>
                  {x}
                </option>
              ))}
            </select>
          </label>
          <button className="btn" type="submit">
            Run what-if
          </button>
        </form>
      }
    >
      {!run && <p className="muted">What would the drafted Azure Policy do across the whole estate if it were assigned today?</p>}
      <ErrorBox error={error} />
      {loading && <Loading what="Evaluating the policy" />}
      {data && !loading && (
        <div>
          <p className="lead">
            With effect <strong>{data.effect}</strong>, {data.impact.count} resource(s) would be <strong>{data.impact.action}</strong>
            {data.includesThisResource ? ", including this one" : ""}.
          </p>
          <div className="stats small-stats">
            <div className="stat stat-bad">
              <div className="stat-label">Non-compliant</div>
              <div className="stat-value">{data.counts.noncompliant}</div>
            </div>
            <div className="stat">
              <div className="stat-label">Compliant</div>
              <div className="stat-value">{data.counts.compliant}</div>
            </div>
            <div className="stat">
              <div className="stat-label">Not applicable</div>
              <div className="stat-value">{data.counts.notApplicable}</div>
            </div>
            <div className="stat">
              <div className="stat-label">Compliance after</div>
              <div className="stat-value">{data.complianceDelta.compliancePercent === null ? "—" : `${Math.round(data.complianceDelta.compliancePercent)}%`}</div>
            </div>
          </div>
          {data.byEnvironment.length > 0 && (
            <p className="small">
              By environment: {data.byEnvironment.filter((x) => x.noncompliant).map((x) => `${x.environment} ${x.noncompliant}`).join(" · ") || "none"}
            </p>
          )}
          {data.sample.length > 0 && (
            <details>
              <summary>Affected resources ({data.sample.length} shown)</summary>
              <ul className="list small">
                {data.sample.map((s) => (
                  <li key={s.id}>
                    <code>{s.id.split("/").pop()}</code> — {s.reason}
                  </li>
                ))}
              </ul>
            </details>
          )}
          {data.warnings.map((w) => (
            <p key={w} className="muted small">
              {w}
            </p>
          ))}
        </div>
      )}
    </Card>
  );
}

function ExemptForm({ id, onDone }: { id: string; onDone: () => void }) {
  const inThreeMonths = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
  const [form, setForm] = useState({ category: "waiver", justification: "", expiresOn: inThreeMonths });
  const [err, setErr] = useState<Error>();
  return (
    <Card title="Exempt (accept the risk)">
      <form
        className="form"
        onSubmit={async (e) => {
          e.preventDefault();
          setErr(undefined);
          try {
            await api("/api/v1/exemptions", { method: "POST", body: { findingId: id, ...form } });
            onDone();
          } catch (x) {
            setErr(x as Error);
          }
        }}
      >
        <label>
          <span>Category</span>
          <select value={form.category} onChange={(e) => setForm({ ...form, category: e.target.value })}>
            <option value="waiver">Waiver (risk accepted)</option>
            <option value="mitigated">Mitigated (compensating control)</option>
          </select>
        </label>
        <label>
          <span>Justification</span>
          <textarea required minLength={20} rows={3} value={form.justification} onChange={(e) => setForm({ ...form, justification: e.target.value })} placeholder="Why is this risk acceptable, and who accepts it?" />
        </label>
        <label>
          <span>Expires on</span>
          <input type="date" required value={form.expiresOn} onChange={(e) => setForm({ ...form, expiresOn: e.target.value })} />
        </label>
        <button className="btn" type="submit">
          Grant exemption
        </button>
        <ErrorBox error={err} />
      </form>
    </Card>
  );
}

function History({ id }: { id: string }) {
  const { data } = useApi<{ audit: { seq: number; time: string; actor: string; action: string }[] }>(`/api/v1/findings/${encodeURIComponent(id)}/history`);
  if (!data) return null;
  return (
    <Card title="History" actions={<Link to={`/audit?subject=${id}`}>Audit log →</Link>}>
      <ul className="history">
        {data.audit
          .slice(-12)
          .reverse()
          .map((e) => (
            <li key={e.seq}>
              <span className="muted small">#{e.seq} {fmtTime(e.time)}</span> {e.actor} <em>{e.action}</em>
            </li>
          ))}
      </ul>
    </Card>
  );
}

function Feedback({ id, can }: { id: string; can: (p: string) => boolean }) {
  const [sent, setSent] = useState<string | null>(null);
  if (!can("feedback:write")) return null;
  const send = async (helpful: boolean) => {
    try {
      await api(`/api/v1/findings/${encodeURIComponent(id)}/feedback`, { method: "POST", body: { helpful } });
      setSent(helpful ? "Thanks — marked helpful" : "Thanks — we'll look at it");
    } catch (e) {
      setSent(e instanceof ApiError ? e.message : "failed");
    }
  };
  return (
    <div className="feedback" aria-live="polite">
      {sent ?? (
        <>
          <span className="muted small">Was this explanation useful?</span>
          <button type="button" className="btn btn-small" onClick={() => send(true)}>
            Yes
          </button>
          <button type="button" className="btn btn-small" onClick={() => send(false)}>
            No
          </button>
        </>
      )}
    </div>
  );
}
