import { useState } from "react";
import type { AuditEvent } from "../api";
import { qs } from "../api";
import { Card, ErrorBox, fmtTime, Loading } from "../components/ui";
import { useApi, useDebounced } from "../hooks";

interface Verdict {
  ok: boolean;
  checked: number;
  lastSeq: number;
  lastHash: string;
  verifiedAt: string;
  problem?: { position: number; seq?: number; reason: string };
}

const PAGE = 50;

export function AuditPage() {
  const params = new URLSearchParams(location.search);
  const [action, setAction] = useState(params.get("action") ?? "");
  const [subject, setSubject] = useState(params.get("subject") ?? "");
  const [page, setPage] = useState(0);
  const a = useDebounced(action);
  const s = useDebounced(subject);
  const verify = useApi<Verdict>("/api/v1/audit/verify");
  const { data, error, loading } = useApi<{ items: AuditEvent[]; total: number }>(`/api/v1/audit${qs({ action: a, subject: s, limit: PAGE, offset: page * PAGE })}`);
  const v = verify.data;
  return (
    <div className="page">
      <div className="page-head">
        <h1>Audit log</h1>
        <p className="muted">Every run, explanation, draft, approval and exemption, hash-chained so any edit or deletion shows.</p>
      </div>
      <div className={`chain ${v ? (v.ok ? "chain-ok" : "chain-bad") : ""}`} role="status" data-testid="chain-status">
        {verify.loading && "Verifying the hash chain…"}
        <ErrorBox error={verify.error} />
        {v?.ok && (
          <>
            <strong>Chain verified</strong> · {v.checked.toLocaleString()} events intact · head <code>{v.lastHash.slice(0, 16)}…</code> · {fmtTime(v.verifiedAt)}
          </>
        )}
        {v && !v.ok && (
          <>
            <strong>Chain broken</strong> at event #{v.problem?.seq} (position {v.problem?.position}): {v.problem?.reason}
          </>
        )}
        <button type="button" className="btn btn-small" onClick={verify.reload}>
          Verify again
        </button>
      </div>
      <div className="filters">
        <label>
          <span>Action starts with</span>
          <input
            value={action}
            onChange={(e) => {
              setAction(e.target.value);
              setPage(0);
            }}
            placeholder="e.g. approval."
          />
        </label>
        <label>
          <span>Subject</span>
          <input
            value={subject}
            onChange={(e) => {
              setSubject(e.target.value);
              setPage(0);
            }}
            placeholder="finding id, run id…"
          />
        </label>
      </div>
      <ErrorBox error={error} />
      {loading && !data && <Loading />}
      {data && (
        <Card>
          <table className="table compact" data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col" className="num">
                  #
                </th>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Subject</th>
                <th scope="col">Details</th>
                <th scope="col">Hash</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((e) => (
                <tr key={e.seq}>
                  <td className="num">{e.seq}</td>
                  <td className="nowrap">{fmtTime(e.time)}</td>
                  <td>{e.actor}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td className="ellipsis" title={e.subject}>
                    {e.subject}
                  </td>
                  <td className="ellipsis small" title={JSON.stringify(e.details)}>
                    {Object.entries(e.details)
                      .slice(0, 4)
                      .map(([k, x]) => `${k}: ${typeof x === "object" ? JSON.stringify(x) : String(x)}`)
                      .join(" · ")}
                  </td>
                  <td>
                    <code className="small">{e.hash.slice(0, 10)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="pager">
            <button type="button" className="btn" disabled={page === 0} onClick={() => setPage(page - 1)}>
              ← Newer
            </button>
            <span className="muted small">
              {data.total ? `${page * PAGE + 1}–${Math.min(data.total, (page + 1) * PAGE)} of ${data.total.toLocaleString()}` : "no events"}
            </span>
            <button type="button" className="btn" disabled={(page + 1) * PAGE >= data.total} onClick={() => setPage(page + 1)}>
              Older →
            </button>
          </div>
        </Card>
      )}
    </div>
  );
}
