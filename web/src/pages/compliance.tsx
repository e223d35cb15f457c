import { useState } from "react";
import { Card, ErrorBox, fwLabel, Link, Loading } from "../components/ui";
import { useApi } from "../hooks";

interface Group {
  group: string;
  controls: number;
  failing: number;
  findings: number;
  maxRisk: number;
}
interface Fw {
  id: string;
  name: string;
  version: string;
  controls: number;
  assessed: number;
  failing: number;
  passing: number;
  findings: number;
  groups: Group[];
}
interface FwDetail extends Fw {
  detail: { controlId: string; title: string | null; group: string; findings: number; maxRisk: number; findingIds: string[] }[];
}

/** Cell colour by share of failing controls: white (none) to deep red (all). */
function heat(g: Group): { background: string; color: string } {
  if (!g.failing) return { background: "#ecfdf3", color: "#05603a" };
  const r = g.failing / g.controls;
  const steps = ["#fee4e2", "#fecdca", "#fda29b", "#f04438", "#b42318"];
  const i = Math.min(steps.length - 1, Math.floor(r * steps.length));
  return { background: steps[i], color: i >= 3 ? "#fff" : "#55160c" };
}

export function CompliancePage() {
  const { data, error, loading } = useApi<Fw[]>("/api/v1/compliance");
  const initial = new URLSearchParams(location.search).get("framework");
  const [sel, setSel] = useState<{ fw: string; group?: string } | null>(initial ? { fw: initial } : null);
  const detail = useApi<FwDetail>(sel ? `/api/v1/compliance/${sel.fw}` : null);
  if (error) return <ErrorBox error={error} />;
  if (loading || !data) return <Loading />;
  const rows = detail.data?.detail.filter((c) => (!sel?.group || c.group === sel.group) && (sel?.group || c.findings > 0)) ?? [];
  return (
    <div className="page">
      <div className="page-head">
        <h1>Compliance</h1>
        <p className="muted">Controls with open findings, per framework and control family. Select a cell to see the evidence.</p>
      </div>
      <Card title="Heatmap">
        <table className="heatmap" aria-label="Failing controls by framework and family">
          <tbody>
            {data.map((fw) => (
              <tr key={fw.id}>
                <th scope="row" className="heat-label">
                  <button type="button" className="linklike" aria-pressed={sel?.fw === fw.id && !sel.group} onClick={() => setSel({ fw: fw.id })}>
                    {fwLabel(fw.id)}
                  </button>
                  <span className="muted small">
                    {fw.failing}/{fw.assessed} failing
                  </span>
                </th>
                <td>
                  <div className="heat-cells">
                    {fw.groups.map((g) => {
                      const selected = sel?.fw === fw.id && sel.group === g.group;
                      return (
                        <button
                          type="button"
                          key={g.group}
                          className={`heat-cell ${selected ? "is-selected" : ""}`}
                          style={heat(g)}
                          title={`${fw.name} ${fw.version} · ${g.group}: ${g.failing} of ${g.controls} controls failing, ${g.findings} findings`}
                          aria-label={`${fwLabel(fw.id)} ${g.group}: ${g.failing} of ${g.controls} controls failing`}
                          aria-pressed={selected}
                          onClick={() => setSel({ fw: fw.id, group: g.group })}
                        >
                          {g.failing || ""}
                        </button>
                      );
                    })}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="legend small">
          <span className="swatch" style={{ background: "#ecfdf3" }} /> no failing controls <span className="swatch" style={{ background: "#fecdca" }} /> some{" "}
          <span className="swatch" style={{ background: "#b42318" }} /> most or all
        </div>
      </Card>
      {sel && (
        <Card title={`${fwLabel(sel.fw)}${sel.group ? ` · ${sel.group}` : " · failing controls"}`} actions={<Link to={`/findings?framework=${sel.fw}`}>Findings in this framework →</Link>}>
          <ErrorBox error={detail.error} />
          {detail.loading && <Loading />}
          {detail.data && (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Control</th>
                  <th scope="col">Family</th>
                  <th scope="col" className="num">
                    Findings
                  </th>
                  <th scope="col" className="num">
                    Max risk
                  </th>
                  <th scope="col">Evidence</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((c) => (
                  <tr key={c.controlId}>
                    <td className="strong">{c.controlId}</td>
                    <td className="muted">{c.title ?? c.group}</td>
                    <td className="num">{c.findings}</td>
                    <td className="num">{c.maxRisk ? Math.round(c.maxRisk) : "—"}</td>
                    <td>
                      {c.findingIds.slice(0, 4).map((id) => (
                        <Link key={id} to={`/findings/${id}`} className="evidence">
                          {id}
                        </Link>
                      ))}
                      {c.findingIds.length > 4 && <span className="muted small"> +{c.findings - 4} more</span>}
                      {!c.findings && <span className="muted small">no open findings</span>}
                    </td>
                  </tr>
                ))}
                {!rows.length && (
                  <tr>
                    <td colSpan={5} className="muted">
                      No failing controls.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          )}
        </Card>
      )}
    </div>
  );
}
