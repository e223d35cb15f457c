import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api, type Facets, type FindingPage, type FindingRow, qs } from "../api";
import { Badge, ErrorBox, fwLabel, LEVEL_ORDER, RiskBadge, SEV_ORDER } from "../components/ui";
import { useApi, useDebounced, useLocalStorage } from "../hooks";
import { navigate } from "../router";

export interface Filters {
  severity: string[];
  level: string[];
  environment: string;
  framework: string;
  owner: string;
  search: string;
  exempt: string;
  sort: string;
}

const EMPTY: Filters = { severity: [], level: [], environment: "", framework: "", owner: "", search: "", exempt: "", sort: "risk" };
const PAGE = 100;
const ROW_H = 44;

function fromUrl(): Filters {
  const p = new URLSearchParams(location.search);
  const list = (k: string) => (p.get(k) ? (p.get(k) as string).split(",") : []);
  return { ...EMPTY, severity: list("severity"), level: list("level"), environment: p.get("environment") ?? "", framework: p.get("framework") ?? "", owner: p.get("owner") ?? "", search: p.get("search") ?? "", exempt: p.get("exempt") ?? "", sort: p.get("sort") ?? "risk" };
}

export function FindingsPage() {
  const [filters, setFilters] = useState<Filters>(fromUrl);
  const [views, setViews] = useLocalStorage<{ name: string; filters: Filters }[]>("clarion.views", []);
  const search = useDebounced(filters.search, 250);
  const facets = useApi<Facets>("/api/v1/findings/facets");
  const query = useMemo(
    () => ({
      severity: filters.severity,
      level: filters.level,
      environment: filters.environment,
      framework: filters.framework,
      owner: filters.owner,
      search,
      exempt: filters.exempt,
      sort: filters.sort,
    }),
    [filters.severity, filters.level, filters.environment, filters.framework, filters.owner, search, filters.exempt, filters.sort],
  );
  const key = qs(query);
  useEffect(() => {
    history.replaceState(null, "", `/findings${key}`);
  }, [key]);

  // Pages of rows fetched on demand as the virtual window moves.
  const [pages, setPages] = useState<Map<number, FindingRow[]>>(new Map());
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<Error>();
  const inflight = useRef(new Set<number>());
  const gen = useRef(0);
  const [tookMs, setTookMs] = useState<number | null>(null);
  const load = useCallback(
    (page: number) => {
      if (inflight.current.has(page)) return;
      inflight.current.add(page);
      const g = gen.current;
      const t0 = performance.now();
      api<FindingPage>(`/api/v1/findings${qs({ ...query, limit: PAGE, offset: page * PAGE })}`)
        .then((r) => {
          if (g !== gen.current) return;
          if (page === 0) setTookMs(Math.round(performance.now() - t0));
          setTotal(r.total);
          setPages((m) => new Map(m).set(page, r.items));
        })
        .catch((e) => g === gen.current && setError(e))
        .finally(() => inflight.current.delete(page));
    },
    [query],
  );
  useEffect(() => {
    gen.current++;
    inflight.current.clear();
    setPages(new Map());
    setTotal(null);
    setError(undefined);
    load(0);
  }, [load]);

  const scroller = useRef<HTMLDivElement>(null);
  const rows = useVirtualizer({ count: total ?? 0, getScrollElement: () => scroller.current, estimateSize: () => ROW_H, overscan: 12 });
  const items = rows.getVirtualItems();
  useEffect(() => {
    if (!items.length) return;
    const first = Math.floor(items[0].index / PAGE);
    const last = Math.floor(items[items.length - 1].index / PAGE);
    for (let p = first; p <= last; p++) if (!pages.has(p)) load(p);
  }, [items, pages, load]);
  const rowAt = (i: number) => pages.get(Math.floor(i / PAGE))?.[i % PAGE];

  const [focus, setFocus] = useState(0);
  const onKey = (e: React.KeyboardEvent) => {
    if (!total) return;
    const move = (to: number) => {
      e.preventDefault();
      const n = Math.max(0, Math.min(total - 1, to));
      setFocus(n);
      rows.scrollToIndex(n, { align: "auto" });
      requestAnimationFrame(() => (scroller.current?.querySelector(`[data-index="${n}"]`) as HTMLElement | null)?.focus());
    };
    if (e.key === "ArrowDown") move(focus + 1);
    else if (e.key === "ArrowUp") move(focus - 1);
    else if (e.key === "PageDown") move(focus + 15);
    else if (e.key === "PageUp") move(focus - 15);
    else if (e.key === "Home") move(0);
    else if (e.key === "End") move(total - 1);
    else if (e.key === "Enter") {
      const r = rowAt(focus);
      if (r) navigate(`/findings/${r.id}`);
    }
  };

  const toggle = (k: "severity" | "level", v: string) =>
    setFilters((f) => ({ ...f, [k]: f[k].includes(v) ? f[k].filter((x) => x !== v) : [...f[k], v] }));
  const set = (k: keyof Filters, v: string) => setFilters((f) => ({ ...f, [k]: v }));
  const fc = facets.data;
  const active = JSON.stringify(filters) !== JSON.stringify(EMPTY);

  return (
    <div className="page page-findings">
      <div className="page-head">
        <h1>Findings</h1>
        <p className="muted" aria-live="polite">
          {total === null ? "Loading…" : `${total.toLocaleString()} finding${total === 1 ? "" : "s"}${fc ? ` of ${fc.total.toLocaleString()}` : ""}`}
          {tookMs !== null && <span className="small"> · {tookMs} ms</span>}
        </p>
      </div>
      <div className="filters" role="search">
        <label className="search">
          <span className="sr-only">Search findings</span>
          <input type="search" placeholder="Search resource, recommendation or finding id" value={filters.search} onChange={(e) => set("search", e.target.value)} />
        </label>
        <fieldset className="chips">
          <legend>Severity</legend>
          {SEV_ORDER.map((s) => (
            <button type="button" key={s} className={`chip chip-${s.toLowerCase()}`} aria-pressed={filters.severity.includes(s)} onClick={() => toggle("severity", s)}>
              {s} {fc && <span className="chip-n">{(fc.severity[s] ?? 0).toLocaleString()}</span>}
            </button>
          ))}
        </fieldset>
        <fieldset className="chips">
          <legend>Risk</legend>
          {LEVEL_ORDER.map((s) => (
            <button type="button" key={s} className={`chip chip-${s}`} aria-pressed={filters.level.includes(s)} onClick={() => toggle("level", s)}>
              {s} {fc && <span className="chip-n">{(fc.level[s] ?? 0).toLocaleString()}</span>}
            </button>
          ))}
        </fieldset>
        <label>
          <span>Environment</span>
          <select value={filters.environment} onChange={(e) => set("environment", e.target.value)}>
            <option value="">All</option>
            {fc && Object.keys(fc.environment).map((k) => <option key={k} value={k}>{`${k} (${fc.environment[k]})`}</option>)}
          </select>
        </label>
        <label>
          <span>Framework</span>
          <select value={filters.framework} onChange={(e) => set("framework", e.target.value)}>
            <option value="">All</option>
            {fc && Object.keys(fc.framework).map((k) => <option key={k} value={k}>{`${fwLabel(k)} (${fc.framework[k]})`}</option>)}
          </select>
        </label>
        <label>
          <span>Owner</span>
          <select value={filters.owner} onChange={(e) => set("owner", e.target.value)}>
            <option value="">Anyone</option>
            {fc && Object.keys(fc.owner).map((k) => <option key={k} value={k}>{`${k} (${fc.owner[k]})`}</option>)}
          </select>
        </label>
        <label>
          <span>Exemptions</span>
          <select value={filters.exempt} onChange={(e) => set("exempt", e.target.value)}>
            <option value="">Include</option>
            <option value="false">Hide exempt</option>
            <option value="true">Only exempt</option>
          </select>
        </label>
        <label>
          <span>Sort</span>
          <select value={filters.sort} onChange={(e) => set("sort", e.target.value)}>
            <option value="risk">Risk</option>
            <option value="severity">Severity</option>
            <option value="resource">Resource</option>
            <option value="recommendation">Recommendation</option>
            <option value="owner">Owner</option>
            <option value="environment">Environment</option>
          </select>
        </label>
        <div className="views">
          <label>
            <span>Saved views</span>
            <select
              value=""
              onChange={(e) => {
                const v = views.find((x) => x.name === e.target.value);
                if (v) setFilters(v.filters);
              }}
            >
              <option value="">{views.length ? "Apply a view…" : "No saved views"}</option>
              {views.map((v) => (
                <option key={v.name} value={v.name}>
                  {v.name}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="btn"
            disabled={!active}
            onClick={() => {
              const name = prompt("Name this view");
              if (name?.trim()) setViews([...views.filter((v) => v.name !== name.trim()), { name: name.trim(), filters }]);
            }}
          >
            Save view
          </button>
          <button type="button" className="btn btn-ghost" disabled={!active} onClick={() => setFilters(EMPTY)}>
            Clear
          </button>
        </div>
      </div>
      <ErrorBox error={error} />
      <div className="vtable" role="grid" aria-rowcount={total ?? 0} aria-label="Findings, highest risk first">
        <div className="vrow vhead" role="row">
          <span role="columnheader">Risk</span>
          <span role="columnheader">Severity</span>
          <span role="columnheader">Resource</span>
          <span role="columnheader">Recommendation</span>
          <span role="columnheader">Environment</span>
          <span role="columnheader">Owner</span>
          <span role="columnheader">Frameworks</span>
        </div>
        <div className="vbody" ref={scroller} onKeyDown={onKey}>
          {total === 0 && <div className="empty">No findings match these filters.</div>}
          <div style={{ height: rows.getTotalSize(), position: "relative" }}>
            {items.map((vi) => {
              const r = rowAt(vi.index);
              return (
                <div
                  key={vi.key}
                  data-index={vi.index}
                  role="row"
                  aria-rowindex={vi.index + 2}
                  tabIndex={vi.index === focus ? 0 : -1}
                  className={`vrow ${r?.exempt ? "is-exempt" : ""}`}
                  style={{ transform: `translateY(${vi.start}px)`, height: ROW_H }}
                  onClick={() => r && navigate(`/findings/${r.id}`)}
                  onFocus={() => setFocus(vi.index)}
                >
                  {r ? (
                    <>
                      <span role="gridcell">
                        <RiskBadge score={r.riskScore} level={r.riskLevel} />
                      </span>
                      <span role="gridcell">
                        <Badge kind={r.severity}>{r.severity}</Badge>
                      </span>
                      <span role="gridcell" className="cell-main" title={r.resourceId}>
                        <a href={`/findings/${r.id}`} tabIndex={-1} onClick={(e) => e.preventDefault()}>
                          {r.resourceName}
                        </a>
                        <span className="muted small">{r.resourceType.split("/").pop()}</span>
                      </span>
                      <span role="gridcell" className="ellipsis" title={r.recommendation}>
                        {r.recommendation}
                        {r.exempt && <Badge kind="exempt">exempt</Badge>}
                      </span>
                      <span role="gridcell">{r.environment}</span>
                      <span role="gridcell" className="ellipsis" title={r.ownerEmail ?? r.owner}>
                        {r.owner}
                      </span>
                      <span role="gridcell" className="ellipsis small">
                        {r.frameworks.map(fwLabel).join(", ")}
                      </span>
                    </>
                  ) : (
                    <span className="muted">…</span>
                  )}
                </div>
              );
            })}
          </div>
        </div>
      </div>
      <p className="muted small">Keyboard: ↑/↓ move, PgUp/PgDn jump, Enter opens the finding.</p>
    </div>
  );
}
