import cytoscape from "cytoscape";
import { useEffect, useRef, useState } from "react";
import type { AttackPath } from "../api";
import { Badge, Card, ErrorBox, Loading } from "../components/ui";
import { useApi } from "../hooks";

interface PathsResponse {
  paths: AttackPath[];
  nodes: { id: string; name: string; type: string }[];
}

const typeLabel = (t: string) => t.split("/").pop() ?? t;

export function PathsPage() {
  const { data, error, loading } = useApi<PathsResponse>("/api/v1/paths");
  const [sel, setSel] = useState<string | null>(null);
  useEffect(() => {
    if (data?.paths[0] && sel === null) setSel(data.paths[0].id);
  }, [data, sel]);
  const el = useRef<HTMLDivElement>(null);
  const cy = useRef<cytoscape.Core | null>(null);
  useEffect(() => {
    if (!data || !el.current) return;
    const names = new Map(data.nodes.map((n) => [n.id, n]));
    const elements: cytoscape.ElementDefinition[] = [];
    const seenEdge = new Set<string>();
    const targets = new Set(data.paths.map((p) => p.target.toLowerCase()));
    const entries = new Set(data.paths.map((p) => p.hops[0]?.toLowerCase()));
    elements.push({ data: { id: "internet", label: "Internet", kind: "internet" } });
    for (const n of data.nodes) {
      elements.push({ data: { id: n.id, label: `${n.name}\n${typeLabel(n.type)}`, kind: targets.has(n.id) ? "target" : entries.has(n.id) ? "entry" : "hop" } });
    }
    for (const p of data.paths) {
      const hops = p.hops.map((h) => h.toLowerCase());
      const chain = ["internet", ...hops];
      for (let i = 0; i < chain.length - 1; i++) {
        const id = `${chain[i]}->${chain[i + 1]}`;
        if (seenEdge.has(id) || !names.has(chain[i + 1])) continue;
        seenEdge.add(id);
        elements.push({ data: { id, source: chain[i], target: chain[i + 1], label: i === 0 ? "exposed" : (p.steps[i - 1] ?? "") } });
      }
    }
    const c = cytoscape({
      container: el.current,
      elements,
      layout: { name: "breadthfirst", directed: true, roots: ["internet"], spacingFactor: 1.1, padding: 20 },
      wheelSensitivity: 0.3,
      minZoom: 0.2,
      maxZoom: 1.8,
      style: [
        { selector: "node", style: { label: "", "text-wrap": "wrap", "font-size": 10, "text-valign": "bottom", "text-margin-y": 4, width: 22, height: 22, "background-color": "#64748b", color: "#1e293b" } },
        { selector: 'node[kind="internet"]', style: { "background-color": "#1d3a8a", shape: "round-rectangle", width: 34, height: 26 } },
        { selector: 'node[kind="entry"]', style: { "background-color": "#c2410c" } },
        { selector: 'node[kind="target"]', style: { "background-color": "#9f1239", shape: "diamond", width: 30, height: 30 } },
        { selector: "edge", style: { width: 1.5, "line-color": "#94a3b8", "target-arrow-color": "#94a3b8", "target-arrow-shape": "triangle", "curve-style": "bezier", label: "", "font-size": 9, color: "#475569", "text-rotation": "autorotate", "text-background-color": "#fff", "text-background-opacity": 0.8 } },
        { selector: 'node[kind="internet"], node[kind="target"]', style: { label: "data(label)" } },
        // Highlighted path: separate node and edge styles (a shared `width` squeezed the nodes into thin bars).
        {
          selector: "node.hl",
          style: {
            label: "data(label)",
            width: 34,
            height: 34,
            "border-width": 3,
            "border-color": "#7a271a",
            "font-size": 12,
            "font-weight": "bold",
            color: "#101828",
            "text-wrap": "wrap",
            "text-max-width": "160px",
            "text-background-color": "#ffffff",
            "text-background-opacity": 0.92,
            "text-background-padding": "3px",
            "text-background-shape": "roundrectangle",
            "z-index": 20,
          },
        },
        { selector: 'node.hl[kind="target"]', style: { width: 42, height: 42 } },
        { selector: 'node.hl[kind="internet"]', style: { width: 48, height: 34 } },
        {
          selector: "edge.hl",
          style: {
            "line-color": "#b42318",
            "target-arrow-color": "#b42318",
            width: 3.5,
            "arrow-scale": 1.3,
            "z-index": 10,
            label: "data(label)",
            "font-size": 11,
            "font-weight": "bold",
            color: "#7a271a",
            "text-background-color": "#ffffff",
            "text-background-opacity": 0.92,
            "text-background-padding": "2px",
          },
        },
        { selector: ".dim", style: { opacity: 0.15, label: "" } },
      ],
    });
    cy.current = c;
    return () => c.destroy();
  }, [data]);
  useEffect(() => {
    const c = cy.current;
    if (!c || !data) return;
    c.elements().removeClass("hl dim");
    const p = data.paths.find((x) => x.id === sel);
    if (!p) {
      c.fit(undefined, 20);
      return;
    }
    const chain = ["internet", ...p.hops.map((h) => h.toLowerCase())];
    const on = c.collection();
    for (let i = 0; i < chain.length; i++) {
      on.merge(c.getElementById(chain[i]));
      if (i < chain.length - 1) on.merge(c.getElementById(`${chain[i]}->${chain[i + 1]}`));
    }
    c.elements().difference(on).addClass("dim");
    on.addClass("hl");
    // Zoom to the traced path so its names and steps are readable; the rest of the estate stays dimmed around it.
    c.fit(on, 70);
  }, [sel, data]);
  if (error) return <ErrorBox error={error} />;
  if (loading || !data) return <Loading what="Computing attack paths" />;
  return (
    <div className="page">
      <div className="page-head">
        <h1>Attack paths</h1>
        <p className="muted">
          {data.paths.length} path(s) from the Internet to critical assets, through network reachability and identities. Select one to trace it.
        </p>
      </div>
      <div className="grid-paths">
        <Card title="Paths by risk">
          <ol className="pathlist">
            {data.paths.map((p) => (
              <li key={p.id}>
                <button type="button" className={`pathbtn ${sel === p.id ? "is-selected" : ""}`} aria-pressed={sel === p.id} onClick={() => setSel(sel === p.id ? null : p.id)}>
                  <Badge kind={p.risk >= 65 ? "critical" : p.risk >= 45 ? "high" : "medium"}>risk {Math.round(p.risk)}</Badge>
                  <span className="strong">{p.targetName}</span>
                  <span className="small">{p.summary}</span>
                  <span className="muted small">{p.hops.length} hop(s)</span>
                </button>
              </li>
            ))}
          </ol>
        </Card>
        <Card title="Graph">
          <div ref={el} className="graph" role="img" aria-label={`Attack path graph with ${data.nodes.length} resources; the list on the left describes each path in text`} />
          <div className="legend small">
            <span className="dot" style={{ background: "#1d3a8a" }} /> Internet <span className="dot" style={{ background: "#c2410c" }} /> entry point{" "}
            <span className="dot" style={{ background: "#64748b" }} /> hop <span className="dot" style={{ background: "#9f1239" }} /> critical asset
          </div>
        </Card>
      </div>
    </div>
  );
}
