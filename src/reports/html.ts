import type { Finding } from "../domain/finding";
import type { RunSummary } from "./summary";

/** HTML-escapes attacker-controlled text. */
export function esc(s: unknown): string {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

const COLORS: Record<string, string> = { critical: "#b42318", high: "#d9480f", medium: "#c28e00", low: "#2f7d32", High: "#b42318", Medium: "#c28e00", Low: "#2f7d32" };

/** A horizontal bar chart as inline SVG (no scripts: the report opens anywhere, offline). */
export function barChart(title: string, data: Record<string, number>, opts: { width?: number; color?: (k: string) => string } = {}): string {
  const entries = Object.entries(data);
  const width = opts.width ?? 460;
  const row = 24;
  const labelW = 170;
  const max = Math.max(1, ...entries.map(([, v]) => v));
  const bars = entries
    .map(([k, v], i) => {
      const w = Math.max(2, ((width - labelW - 50) * v) / max);
      const y = 28 + i * row;
      const fill = opts.color?.(k) ?? COLORS[k] ?? "#3b5bdb";
      return `<text x="${labelW - 8}" y="${y + 15}" text-anchor="end" class="lbl">${esc(k)}</text><rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${row - 8}" rx="3" fill="${fill}"><title>${esc(k)}: ${v}</title></rect><text x="${labelW + w + 6}" y="${y + 15}" class="val">${v}</text>`;
    })
    .join("");
  const h = 36 + entries.length * row;
  return `<figure class="chart"><svg role="img" aria-label="${esc(title)}" viewBox="0 0 ${width} ${h}" width="100%"><text x="0" y="16" class="ttl">${esc(title)}</text>${bars}</svg></figure>`;
}

export function renderHtmlReport(summary: RunSummary, findings: Finding[], opts: { top?: number; extraSections?: string[] } = {}): string {
  const top = findings.slice(0, opts.top ?? 50);
  const scoreRows = summary.secureScore.map((s) => `<tr><td>${esc(s.name)}</td><td class="num">${s.current} / ${s.max}</td><td><meter min="0" max="1" value="${s.percentage}"></meter> ${Math.round(s.percentage * 100)}%</td></tr>`).join("");
  const rows = top
    .map(
      (f, i) => `<tr>
  <td class="num">${i + 1}</td>
  <td><span class="pill" style="background:${COLORS[f.risk.level]}">${f.risk.score}</span> ${esc(f.risk.level)}</td>
  <td><strong>${esc(f.resourceName)}</strong><br><small>${esc(f.resourceType)} · ${esc(f.environment)}</small></td>
  <td>${esc(f.recommendation.name)}<br><small>${esc(f.recommendation.severity)}</small></td>
  <td>${esc(f.owner.name)}<br><small>${esc(f.owner.source)}</small></td>
  <td><details><summary>${esc(f.explanation.summary.slice(0, 110))}…</summary>
    <p>${esc(f.explanation.summary)}</p><p>${esc(f.explanation.businessImpact)}</p><p>${esc(f.explanation.complianceImpact)}</p>
    <p><strong>Action:</strong> ${esc(f.explanation.recommendedAction ?? "")}</p>
    <p class="factors">${f.risk.factors.filter((x) => x.points > 0).map((x) => `<span title="${esc(x.reason)}">${esc(x.name)} +${x.points}</span>`).join(" ")}</p>
    ${f.remediation.map((r) => `<h5>${esc(r.kind)}</h5><pre>${esc(r.content)}</pre><p><small>Rollback:</small></p><pre>${esc(r.rollback)}</pre>`).join("")}
    <p><small>Cited facts: ${f.explanation.citations.map((c) => esc(c.factId)).join(", ")}</small></p>
  </details></td></tr>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Clarion posture report</title>
<style>
 body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
 header{background:#14213d;color:#fff;padding:18px 28px} header h1{margin:0;font-size:22px} header p{margin:4px 0 0;color:#c9d2e3}
 main{padding:20px 28px;max-width:1280px} .cards{display:flex;gap:12px;flex-wrap:wrap}
 .card{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:12px 16px;min-width:150px} .card b{font-size:24px;display:block}
 .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:16px;margin:16px 0}
 .chart{background:#fff;border:1px solid #dde1e7;border-radius:8px;margin:0;padding:10px}
 .lbl,.val{font-size:12px;fill:#1b1f24} .ttl{font-size:13px;font-weight:600;fill:#14213d}
 table{border-collapse:collapse;width:100%;background:#fff} th,td{border-bottom:1px solid #e4e7ec;padding:8px;vertical-align:top;text-align:left}
 th{background:#eef1f6} .num{text-align:right} .pill{color:#fff;border-radius:10px;padding:1px 8px;font-weight:600}
 pre{background:#0f172a;color:#e2e8f0;padding:8px;border-radius:6px;overflow:auto;max-width:640px;font-size:12px}
 .factors span{display:inline-block;background:#eef1f6;border-radius:4px;padding:0 6px;margin:2px;font-size:12px}
 details summary{cursor:pointer;color:#1d4ed8} small{color:#57606a}
</style></head>
<body><header><h1>Clarion posture report</h1><p>${esc(summary.source)} · generated ${esc(summary.generatedAt)} · run ${esc(summary.runId)}</p></header>
<main>
<section class="cards">
 <div class="card"><b>${summary.counts.resources}</b>resources</div>
 <div class="card"><b>${summary.counts.findings}</b>unhealthy findings</div>
 <div class="card"><b>${summary.counts.recommendationTypes}</b>recommendation types</div>
 <div class="card"><b>${summary.byRiskLevel.critical ?? 0}</b>critical risks</div>
 <div class="card"><b>${summary.ingest.rejected}</b>rows rejected of ${summary.ingest.read}</div>
</section>
<section class="grid">
 ${barChart("Findings by risk level", pick(summary.byRiskLevel, ["critical", "high", "medium", "low"]))}
 ${barChart("Findings by severity", pick(summary.bySeverity, ["High", "Medium", "Low"]))}
 ${barChart("Findings by framework", summary.byFramework)}
 ${barChart("Findings by environment", summary.byEnvironment)}
</section>
${scoreRows ? `<h2>Secure Score</h2><table><thead><tr><th>Subscription</th><th>Score</th><th>Share</th></tr></thead><tbody>${scoreRows}</tbody></table>` : ""}
${(opts.extraSections ?? []).join("\n")}
<h2>Top ${top.length} findings by risk</h2>
<table><thead><tr><th>#</th><th>Risk</th><th>Resource</th><th>Recommendation</th><th>Owner</th><th>Explanation and fix</th></tr></thead>
<tbody>${rows}</tbody></table>
</main></body></html>
`;
}

function pick(data: Record<string, number>, order: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of order) out[k] = data[k] ?? 0;
  return out;
}
