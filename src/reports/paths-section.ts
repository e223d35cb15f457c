import type { ArmResource } from "../domain/resource";
import type { AttackPath } from "../graph/index";
import { esc } from "./html";

const TYPE_SHORT: Record<string, string> = {
  "microsoft.network/publicipaddresses": "public IP",
  "microsoft.network/networkinterfaces": "NIC",
  "microsoft.compute/virtualmachines": "VM",
  "microsoft.keyvault/vaults": "Key Vault",
  "microsoft.storage/storageaccounts": "storage",
  "microsoft.sql/servers": "SQL server",
  "microsoft.documentdb/databaseaccounts": "Cosmos DB",
  "microsoft.network/loadbalancers": "load balancer",
  "microsoft.containerservice/managedclusters": "AKS",
  "microsoft.web/sites": "App Service",
};

/** Draws the top attack paths as an inline SVG chain of hops (Internet → … → crown jewel), no scripts. */
export function renderPathsSection(paths: AttackPath[], resources: ArmResource[], limit = 8): string {
  if (!paths.length) return `<h2>Attack paths</h2><p>No path from the Internet to a critical asset was found.</p>`;
  const byId = new Map(resources.map((r) => [r.id.toLowerCase(), r]));
  const top = [...paths].sort((a, b) => b.risk - a.risk).slice(0, limit);
  const boxW = 150;
  const gap = 48;
  const rowH = 74;
  const maxHops = Math.max(...top.map((p) => p.hops.length)) + 1;
  const width = 150 + maxHops * (boxW + gap);
  const rows = top
    .map((p, i) => {
      const y = 30 + i * rowH;
      const nodes = [{ label: "Internet", sub: p.entry.ports.join(",") || "", kind: "internet" }, ...p.hops.map((h, j) => {
        const r = byId.get(h.toLowerCase());
        return { label: r?.name ?? h.split("/").pop() ?? h, sub: TYPE_SHORT[(r?.type ?? "").toLowerCase()] ?? (r?.type ?? "").split("/").pop() ?? "", kind: j === p.hops.length - 1 ? "target" : "hop" };
      })];
      const boxes = nodes
        .map((n, j) => {
          const x = 110 + j * (boxW + gap);
          const fill = n.kind === "internet" ? "#fde2e1" : n.kind === "target" ? "#14213d" : "#eef1f6";
          const color = n.kind === "target" ? "#fff" : "#1b1f24";
          const arrow = j > 0 ? `<line x1="${x - gap + 2}" y1="${y + 20}" x2="${x - 4}" y2="${y + 20}" stroke="#8a94a6" stroke-width="2" marker-end="url(#arr)"/><text x="${x - gap / 2}" y="${y + 12}" class="step" text-anchor="middle">${esc((p.steps[j - 2] ?? "").split(" ")[0] ?? "")}</text>` : "";
          return `${arrow}<rect x="${x}" y="${y}" width="${boxW}" height="40" rx="6" fill="${fill}" stroke="#c3cad6"/><text x="${x + boxW / 2}" y="${y + 17}" text-anchor="middle" class="node" fill="${color}">${esc(n.label.length > 19 ? `${n.label.slice(0, 18)}…` : n.label)}</text><text x="${x + boxW / 2}" y="${y + 32}" text-anchor="middle" class="sub" fill="${color}">${esc(n.sub)}</text>`;
        })
        .join("");
      return `<text x="0" y="${y + 24}" class="risk">risk ${Math.round(p.risk)}</text>${boxes}<text x="110" y="${y + 56}" class="why">${esc(p.summary.length > 150 ? `${p.summary.slice(0, 149)}…` : p.summary)}</text>`;
    })
    .join("");
  const svg = `<svg role="img" aria-label="Attack paths from the Internet to critical assets" viewBox="0 0 ${width} ${40 + top.length * rowH}" width="100%">
<defs><marker id="arr" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#8a94a6"/></marker></defs>
<style>.node{font-size:12px;font-weight:600}.sub{font-size:10px}.risk{font-size:13px;font-weight:700;fill:#b42318}.why{font-size:11px;fill:#57606a}.step{font-size:8px;fill:#57606a}</style>${rows}</svg>`;
  return `<h2>Attack paths (top ${top.length} of ${paths.length})</h2><figure class="chart">${svg}</figure>`;
}
