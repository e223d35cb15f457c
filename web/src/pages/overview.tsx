import { useMemo } from "react";
import type { FindingRow } from "../api";
import { Chart, COLORS } from "../components/chart";
import { Card, ErrorBox, fmtTime, fwLabel, LEVEL_ORDER, Link, Loading, RiskBadge, SEV_ORDER, Stat } from "../components/ui";
import { useApi } from "../hooks";
import { navigate } from "../router";

interface Overview {
  latestRun: { id: string; finishedAt?: string; source: string } | null;
  totals: { findings: number; bySeverity: Record<string, number>; byLevel: Record<string, number>; byFramework: Record<string, number>; byEnvironment: Record<string, number> };
  secureScore: { subscriptionId: string; name: string; current: number; max: number; percentage: number }[];
  trend: { runId: string; time: string; findings: number; byRiskLevel: Record<string, number>; secureScore: number }[];
  topRisks: FindingRow[];
  sinceLastRun: { previousRunId: string; findings: number; bySeverity: Record<string, number>; byRiskLevel: Record<string, number>; secureScore: number } | null;
  anomalies: { correlationId: string; caller: string; operation: string; time: string; score: number; impact: { summary: string } }[];
}

const signed = (n: number) => (n > 0 ? `+${n}` : `${n}`);

export function OverviewPage() {
  const { data, error, loading } = useApi<Overview>("/api/v1/overview");
  const trendOption = useMemo(() => {
    if (!data) return {};
    return {
      tooltip: { trigger: "axis" },
      legend: { bottom: 0, itemGap: 16 },
      grid: { left: 40, right: 16, top: 16, bottom: 48 },
      xAxis: { type: "category", data: data.trend.map((t) => new Date(t.time).toLocaleDateString()) },
      yAxis: { type: "value", name: "findings", minInterval: 1 },
      series: LEVEL_ORDER.map((l) => ({
        name: l,
        type: data.trend.length > 1 ? "line" : "bar",
        stack: "risk",
        barMaxWidth: 56,
        areaStyle: data.trend.length > 1 ? { opacity: 0.25 } : undefined,
        color: COLORS[l as keyof typeof COLORS],
        data: data.trend.map((t) => t.byRiskLevel[l] ?? 0),
      })),
    };
  }, [data]);
  const sevOption = useMemo(() => {
    if (!data) return {};
    return {
      tooltip: { trigger: "item" },
      legend: { bottom: 0 },
      series: [
        {
          type: "pie",
          radius: ["45%", "72%"],
          center: ["50%", "44%"],
          label: { formatter: "{b}: {c}" },
          data: SEV_ORDER.map((s) => ({ name: s, value: data.totals.bySeverity[s] ?? 0, itemStyle: { color: COLORS[s as keyof typeof COLORS] } })),
        },
      ],
    };
  }, [data]);
  const fwOption = useMemo(() => {
    if (!data) return {};
    const entries = Object.entries(data.totals.byFramework).sort((a, b) => a[1] - b[1]);
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 120, right: 48, top: 8, bottom: 24 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: entries.map(([k]) => fwLabel(k)) },
      series: [{ type: "bar", data: entries.map(([, v]) => v), color: COLORS.accent, label: { show: true, position: "right" } }],
    };
  }, [data]);

  if (error) return <ErrorBox error={error} />;
  if (loading || !data) return <Loading />;
  const crit = data.totals.byLevel.critical ?? 0;
  const avgScore = data.secureScore.length ? data.secureScore.reduce((s, x) => s + x.percentage, 0) / data.secureScore.length : null;
  const d = data.sinceLastRun;
  return (
    <div className="page">
      <div className="page-head">
        <h1>Overview</h1>
        <p className="muted">
          {data.latestRun ? (
            <>
              Last run {fmtTime(data.latestRun.finishedAt)} · {data.latestRun.source}
            </>
          ) : (
            "No runs yet"
          )}
        </p>
      </div>
      <div className="stats">
        <Stat label="Open findings" value={data.totals.findings.toLocaleString()} sub={d ? `${signed(d.findings)} since last run` : "first run"} />
        <Stat label="Critical risk" value={crit.toLocaleString()} tone={crit ? "bad" : undefined} sub={d ? `${signed(d.byRiskLevel.critical ?? 0)} since last run` : undefined} />
        <Stat label="High severity" value={(data.totals.bySeverity.High ?? 0).toLocaleString()} sub={d ? `${signed(d.bySeverity.High ?? 0)} since last run` : undefined} />
        <Stat
          label="Secure Score"
          value={avgScore === null ? "—" : `${Math.round(avgScore * 100)}%`}
          sub={d ? `${signed(Math.round(d.secureScore * 1000) / 10)} pts since last run` : `${data.secureScore.length} subscription(s)`}
        />
        <Stat label="Anomalous changes" value={data.anomalies.length} tone={data.anomalies.length ? "warn" : undefined} sub="in the last 7 days" />
      </div>
      <div className="grid-2">
        <Card title="Risk trend across runs">
          <Chart option={trendOption} label={`Risk trend over ${data.trend.length} runs`} />
        </Card>
        <Card title="Severity">
          <Chart
            option={sevOption}
            label={`Severity: ${SEV_ORDER.map((s) => `${s} ${data.totals.bySeverity[s] ?? 0}`).join(", ")}`}
            onClick={(p) => navigate(`/findings?severity=${p.name}`)}
          />
        </Card>
      </div>
      <div className="grid-2">
        <Card title="Top risks" actions={<Link to="/findings">All findings →</Link>}>
          <ol className="toplist">
            {data.topRisks.map((f) => (
              <li key={f.id}>
                <RiskBadge score={f.riskScore} level={f.riskLevel} />
                <Link to={`/findings/${f.id}`} className="toplink">
                  <span className="strong">{f.resourceName}</span>
                  <span className="muted">{f.recommendation}</span>
                </Link>
                <span className="muted small">{f.owner}</span>
              </li>
            ))}
          </ol>
        </Card>
        <div className="stack">
          <Card title="Secure Score by subscription">
            <table className="table compact">
              <tbody>
                {data.secureScore.map((s) => (
                  <tr key={s.subscriptionId}>
                    <td>{s.name}</td>
                    <td className="bar-cell">
                      <div className="meter" aria-hidden="true">
                        <span style={{ width: `${Math.round(s.percentage * 100)}%` }} />
                      </div>
                    </td>
                    <td className="num">{Math.round(s.percentage * 100)}%</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
          <Card title="Findings by framework">
            <Chart option={fwOption} height={Math.max(160, Object.keys(data.totals.byFramework).length * 26)} label="Findings by framework" />
          </Card>
        </div>
      </div>
      <Card title="What changed" actions={<Link to="/changes">Change timeline →</Link>}>
        {d ? (
          <p>
            Since run <code>{d.previousRunId}</code>: {signed(d.findings)} findings (High {signed(d.bySeverity.High ?? 0)}, Medium {signed(d.bySeverity.Medium ?? 0)}, Low{" "}
            {signed(d.bySeverity.Low ?? 0)}).
          </p>
        ) : (
          <p className="muted">This is the first run; changes show from the next one.</p>
        )}
        {data.anomalies.length > 0 && (
          <ul className="list">
            {data.anomalies.map((a) => (
              <li key={a.correlationId}>
                <span className="badge badge-warn">score {Math.round(a.score)}</span> {a.impact.summary || `${a.caller} ran ${a.operation}`} <span className="muted small">{fmtTime(a.time)}</span>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
