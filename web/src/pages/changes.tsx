import { useMemo } from "react";
import { Chart } from "../components/chart";
import { Badge, Card, ErrorBox, fmtTime, Link, Loading, shortId } from "../components/ui";
import { useApi } from "../hooks";

interface Anomaly {
  correlationId: string;
  caller: string;
  resourceId: string;
  time: string;
  score: number;
  reasons: string[];
  operation: string;
  environment: string;
  impact: { findings: string[]; summary: string; sensitive: string | null };
}
interface Changes {
  since: string | null;
  until: string | null;
  events: { eventId: string; time: string; caller: string; operationName: string; resourceId: string; status: string; correlationId: string }[];
  totalEvents: number;
  anomalies: Anomaly[];
}

export function ChangesPage() {
  const { data, error, loading } = useApi<Changes>("/api/v1/changes?since=7d&limit=2000");
  const option = useMemo(() => {
    if (!data) return {};
    const perDay = new Map<string, number>();
    for (const e of data.events) perDay.set(e.time.slice(0, 10), (perDay.get(e.time.slice(0, 10)) ?? 0) + 1);
    const days = [...perDay.keys()].sort();
    return {
      tooltip: { trigger: "item" },
      legend: { bottom: 0, itemGap: 20 },
      grid: { left: 40, right: 16, top: 16, bottom: 48 },
      xAxis: { type: "time" },
      yAxis: [
        { type: "value", name: "changes", minInterval: 1 },
        { type: "value", name: "anomaly score", max: 100, min: 0, splitLine: { show: false } },
      ],
      series: [
        { name: "changes per day", type: "bar", color: "#94a3b8", data: days.map((d) => [`${d}T12:00:00Z`, perDay.get(d)]) },
        {
          name: "anomalies",
          type: "scatter",
          yAxisIndex: 1,
          color: "#b42318",
          symbolSize: (v: number[]) => 8 + v[1] / 8,
          data: data.anomalies.map((a) => ({ value: [a.time, Math.round(a.score)], name: `${a.caller}: ${a.operation}` })),
        },
      ],
    };
  }, [data]);
  if (error) return <ErrorBox error={error} />;
  if (loading || !data) return <Loading what="Scoring changes" />;
  return (
    <div className="page">
      <div className="page-head">
        <h1>Changes</h1>
        <p className="muted">
          {data.totalEvents.toLocaleString()} Activity Log events; anomalies scored for {fmtTime(data.since)} – {fmtTime(data.until)} against baselines learned before.
        </p>
      </div>
      <Card title="Timeline">
        <Chart option={option} height={260} label={`Change timeline with ${data.anomalies.length} anomalies`} />
      </Card>
      <Card title={`Anomalies (${data.anomalies.length})`}>
        {data.anomalies.length === 0 && <p className="muted">No change stood out in this window.</p>}
        <ul className="anomalies">
          {data.anomalies.map((a) => (
            <li key={a.correlationId}>
              <div className="anomaly-head">
                <Badge kind={a.score >= 70 ? "critical" : "warn"}>score {Math.round(a.score)}</Badge>
                <strong>{a.caller}</strong> <code>{a.operation}</code> on <span title={a.resourceId}>{shortId(a.resourceId)}</span>
                <span className="muted small">
                  {fmtTime(a.time)} · {a.environment}
                </span>
              </div>
              {a.impact.summary && <p>{a.impact.summary}</p>}
              <ul className="reasons small">
                {a.reasons.map((r) => (
                  <li key={r}>{r}</li>
                ))}
              </ul>
              {a.impact.findings.length > 0 && (
                <p className="small">
                  Caused findings:{" "}
                  {a.impact.findings.map((id) => (
                    <Link key={id} to={`/findings/${id}`} className="evidence">
                      {id}
                    </Link>
                  ))}
                </p>
              )}
            </li>
          ))}
        </ul>
      </Card>
      <Card title="Recent changes">
        <table className="table compact fixed">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Caller</th>
              <th scope="col">Operation</th>
              <th scope="col">Resource</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {data.events
              .slice(-100)
              .reverse()
              .map((e) => (
                <tr key={e.eventId}>
                  <td className="nowrap">{fmtTime(e.time)}</td>
                  <td className="ellipsis">{e.caller}</td>
                  <td>
                    <code>{e.operationName}</code>
                  </td>
                  <td title={e.resourceId}>{shortId(e.resourceId)}</td>
                  <td>{e.status}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </Card>
    </div>
  );
}
