import { type KeyboardEvent, type ReactNode, useState } from "react";
import { linkProps } from "../router";

export const SEV_ORDER = ["High", "Medium", "Low"];
export const LEVEL_ORDER = ["critical", "high", "medium", "low"];

export function Badge({ kind, children, title }: { kind: string; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge-${kind.toLowerCase()}`} title={title}>
      {children}
    </span>
  );
}

export function RiskBadge({ score, level }: { score: number; level: string }) {
  return (
    <span className={`risk risk-${level}`} title={`risk ${score} of 100 (${level})`}>
      <b>{Math.round(score)}</b> {level}
    </span>
  );
}

export function Card({ title, children, actions, className }: { title?: ReactNode; children: ReactNode; actions?: ReactNode; className?: string }) {
  return (
    <section className={`card ${className ?? ""}`}>
      {(title || actions) && (
        <header className="card-head">
          {title && <h2>{title}</h2>}
          {actions && <div className="card-actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}

export function ErrorBox({ error }: { error?: Error }) {
  if (!error) return null;
  const hint = (error as { hint?: string }).hint;
  return (
    <div className="error" role="alert">
      <strong>{error.message}</strong>
      {hint && <div className="muted">{hint}</div>}
    </div>
  );
}

export function Loading({ what = "Loading" }: { what?: string }) {
  return (
    <div className="loading" aria-live="polite">
      {what}…
    </div>
  );
}

export function Link({ to, children, className, current }: { to: string; children: ReactNode; className?: string; current?: boolean }) {
  return (
    <a className={className} aria-current={current ? "page" : undefined} {...linkProps(to)}>
      {children}
    </a>
  );
}

/**
 * A WAI-ARIA tab list: one tab stop (the selected tab), ←/→ move and select, Home/End go to the ends.
 * The caller renders the panel with `id={tabPanelId(idBase)}` and `aria-labelledby={tabId(idBase, selected)}`.
 */
export function Tabs({ label, idBase, tabs, selected, onSelect }: { label: string; idBase: string; tabs: string[]; selected: number; onSelect: (i: number) => void }) {
  const select = (i: number) => {
    onSelect(i);
    document.getElementById(tabId(idBase, i))?.focus();
  };
  const onKey = (e: KeyboardEvent) => {
    const n = tabs.length;
    const to = { ArrowRight: selected + 1, ArrowLeft: selected - 1, Home: 0, End: n - 1 }[e.key];
    if (to === undefined || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    select((to + n) % n);
  };
  return (
    <div className="tabs" role="tablist" aria-label={label} onKeyDown={onKey}>
      {tabs.map((t, i) => (
        <button
          key={t}
          id={tabId(idBase, i)}
          role="tab"
          type="button"
          aria-selected={i === selected}
          aria-controls={tabPanelId(idBase)}
          tabIndex={i === selected ? 0 : -1}
          onClick={() => onSelect(i)}
        >
          {t}
        </button>
      ))}
    </div>
  );
}
export const tabId = (idBase: string, i: number) => `${idBase}-tab-${i}`;
export const tabPanelId = (idBase: string) => `${idBase}-panel`;

export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      className="btn btn-small"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
        } catch {
          const ta = document.createElement("textarea");
          ta.value = text;
          document.body.appendChild(ta);
          ta.select();
          document.execCommand("copy");
          ta.remove();
        }
        setDone(true);
        setTimeout(() => setDone(false), 1500);
      }}
      aria-label={`${label} to clipboard`}
    >
      {done ? "Copied ✓" : label}
    </button>
  );
}

export function Stat({ label, value, sub, tone }: { label: string; value: ReactNode; sub?: ReactNode; tone?: string }) {
  return (
    <div className={`stat ${tone ? `stat-${tone}` : ""}`}>
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {sub && <div className="stat-sub">{sub}</div>}
    </div>
  );
}

export function fmtTime(iso?: string | null): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

export function shortId(id: string): string {
  return id.split("/").pop() ?? id;
}

export const FRAMEWORK_LABELS: Record<string, string> = {
  mcsb: "MCSB",
  "nist-800-53-r5": "NIST 800-53 r5",
  "cis-azure-1.4.0": "CIS 1.4",
  "cis-azure-2.0.0": "CIS 2.0",
  "cis-azure-2.1.0": "CIS 2.1",
  "cis-azure-3.0.0": "CIS 3.0",
  "hipaa-hitrust": "HIPAA/HITRUST",
  "iso-27001-2013": "ISO 27001",
  "pci-dss-4.0": "PCI DSS 4.0",
  "soc-2": "SOC 2",
};
export const fwLabel = (id: string) => FRAMEWORK_LABELS[id] ?? id;
