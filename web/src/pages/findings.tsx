import { defaultRangeExtractor, type Range, useVirtualizer } from "@tanstack/react-virtual";
import { type KeyboardEvent, type MouseEvent, useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { api, type Facets, type FindingPage, type FindingRow, qs } from "../api";
import { Badge, ErrorBox, fwLabel, LEVEL_ORDER, RiskBadge, SEV_ORDER } from "../components/ui";
import { useApi, useDebounced, useLocalStorage } from "../hooks";
import { historyState, isPlainClick, navigate, patchHistoryState } from "../router";

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
/** Height of the sticky header row inside the scroller (see `.ftable thead th` in styles.css). */
const HEAD_H = 36;
/** Rows PgUp/PgDn move by. */
const JUMP = 15;
/** While a row has focus it stays rendered when scrolled away, up to this many rows from the visible window. */
const KEEP_FOCUSED = 500;
const COLUMNS = ["Risk", "Severity", "Resource", "Recommendation", "Environment", "Owner", "Frameworks"];
const SORTED: Record<string, string> = {
  risk: "highest risk first",
  severity: "sorted by severity",
  resource: "sorted by resource",
  recommendation: "sorted by recommendation",
  owner: "sorted by owner",
  environment: "sorted by environment",
};

/** Kept in the list's history entry when a finding is opened, so Back or Escape returns to the same row. */
interface ListPosition {
  index: number;
  scroll: number;
}

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
  // The list's position comes back with its history entry (Back from a finding, or Escape there); new filters start over.
  const [restore] = useState(() => historyState<ListPosition>("findingsPosition"));
  const shownKey = useRef(key);
  const [focus, setFocus] = useState(restore?.index ?? 0);
  const [hasFocus, setHasFocus] = useState(false);
  /** A row whose link should take focus once it is rendered and loaded (keyboard moves, and the restored row). */
  const wantFocus = useRef<number | null>(restore ? restore.index : null);
  const restoreScroll = useRef(restore ? restore.scroll : null);
  useEffect(() => {
    const changed = shownKey.current !== key;
    shownKey.current = key;
    history.replaceState(changed ? { ...history.state, findingsPosition: undefined } : history.state, "", `/findings${key}`);
    if (changed) {
      setFocus(0);
      wantFocus.current = null;
      restoreScroll.current = null;
    }
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
  const table = useRef<HTMLTableElement>(null);
  // The focused row stays mounted while it is scrolled out of view (with the mouse), so focus is not dropped.
  const rangeExtractor = useCallback(
    (range: Range) => {
      const shown = defaultRangeExtractor(range);
      if (!hasFocus || !shown.length || focus >= range.count) return shown;
      const from = shown[0];
      const to = shown[shown.length - 1];
      if (focus >= from && focus <= to) return shown;
      if (focus < from - KEEP_FOCUSED || focus > to + KEEP_FOCUSED) return shown;
      const lo = Math.min(from, focus);
      return Array.from({ length: Math.max(to, focus) - lo + 1 }, (_, i) => lo + i);
    },
    [focus, hasFocus],
  );
  const rows = useVirtualizer({
    count: total ?? 0,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_H,
    overscan: 12,
    paddingStart: HEAD_H,
    scrollPaddingStart: HEAD_H,
    rangeExtractor,
  });
  const items = rows.getVirtualItems();
  useEffect(() => {
    if (!items.length) return;
    const first = Math.floor(items[0].index / PAGE);
    const last = Math.floor(items[items.length - 1].index / PAGE);
    for (let p = first; p <= last; p++) if (!pages.has(p)) load(p);
  }, [items, pages, load]);
  const rowAt = (i: number) => pages.get(Math.floor(i / PAGE))?.[i % PAGE];

  // Back on the list: scroll to where it was, once there are rows to scroll.
  useEffect(() => {
    if (restoreScroll.current === null || !total) return;
    rows.scrollToOffset(restoreScroll.current);
    restoreScroll.current = null;
  }, [total, rows]);
  // Move focus to the wanted row's link as soon as it exists; never take focus from elsewhere on the page.
  useEffect(() => {
    const want = wantFocus.current;
    if (want === null || !table.current) return;
    const active = document.activeElement;
    if (active && active !== document.body && active.id !== "main" && !table.current.contains(active)) {
      wantFocus.current = null;
      return;
    }
    const link = table.current.querySelector<HTMLAnchorElement>(`tr[data-index="${want}"] a[href]`);
    if (!link) return;
    wantFocus.current = null;
    link.focus({ preventScroll: true });
  });

  const open = (index: number, r: FindingRow) => {
    patchHistoryState({ findingsPosition: { index, scroll: scroller.current?.scrollTop ?? 0 } satisfies ListPosition });
    navigate(`/findings/${r.id}`, { fromList: true, listUrl: location.pathname + location.search });
  };
  const moveTo = (to: number) => {
    if (!total) return;
    const n = Math.max(0, Math.min(total - 1, to));
    setFocus(n);
    wantFocus.current = n;
    rows.scrollToIndex(n, { align: "auto" });
  };
  const onKey = (e: KeyboardEvent<HTMLTableElement>) => {
    if (!total || e.altKey || e.metaKey || e.shiftKey) return;
    const at = Number((e.target as HTMLElement).closest("tr")?.dataset.index ?? focus);
    const to = { ArrowDown: at + 1, ArrowUp: at - 1, PageDown: at + JUMP, PageUp: at - JUMP, Home: 0, End: total - 1 }[e.key];
    if (to !== undefined) {
      e.preventDefault();
      moveTo(to);
    } else if (e.key === " " && !e.ctrlKey) {
      // Enter activates the row's link natively (Ctrl/Shift+Enter open a tab or window); Space opens it too.
      e.preventDefault();
      const r = rowAt(at);
      if (r) open(at, r);
    }
  };
  const onRowClick = (e: MouseEvent, index: number, r: FindingRow | undefined) => {
    if (!r || !isPlainClick(e) || (e.target as HTMLElement).closest("a")) return;
    open(index, r);
  };

  // The one tab stop in the list: the focused row, or the first row in view when that one is not rendered or loaded.
  const scrollTop = rows.scrollOffset ?? 0;
  const tabStop =
    items.some((vi) => vi.index === focus) && rowAt(focus)
      ? focus
      : (items.find((vi) => vi.end > scrollTop + HEAD_H && rowAt(vi.index))?.index ?? focus);
  const uid = useId();
  const cellId = (index: number, col: string) => `${uid}-${index}-${col}`;
  const before = items.length ? items[0].start - HEAD_H : 0;
  const after = items.length ? rows.getTotalSize() - items[items.length - 1].end : 0;

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
      <search className="filters">
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
      </search>
      <ErrorBox error={error} />
      <div className="vtable">
        <div className="vbody" ref={scroller}>
          <table
            ref={table}
            className="ftable"
            aria-label={`Findings, ${SORTED[filters.sort] ?? `sorted by ${filters.sort}`}`}
            aria-rowcount={total === null ? undefined : total + 1}
            aria-busy={total === null}
            onKeyDown={onKey}
            onFocus={() => setHasFocus(true)}
            onBlur={(e) => setHasFocus(!!e.relatedTarget && e.currentTarget.contains(e.relatedTarget as Node))}
          >
            <colgroup>
              {COLUMNS.map((c) => (
                <col key={c} className={`col-${c.toLowerCase()}`} />
              ))}
            </colgroup>
            <thead>
              <tr aria-rowindex={1}>
                {COLUMNS.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody aria-hidden="true" className="spacer">
              <tr>
                <td colSpan={COLUMNS.length} style={{ height: before }} />
              </tr>
            </tbody>
            <tbody>
              {total === 0 && (
                <tr>
                  <td colSpan={COLUMNS.length} className="empty">
                    No findings match these filters.
                  </td>
                </tr>
              )}
              {items.map((vi) => {
                const r = rowAt(vi.index);
                return (
                  <tr
                    key={vi.key}
                    data-index={vi.index}
                    aria-rowindex={vi.index + 2}
                    className={r?.exempt ? "is-exempt" : undefined}
                    onClick={(e) => onRowClick(e, vi.index, r)}
                  >
                    {r ? (
                      <>
                        <td id={cellId(vi.index, "risk")}>
                          <RiskBadge score={r.riskScore} level={r.riskLevel} />
                        </td>
                        <td id={cellId(vi.index, "sev")}>
                          <Badge kind={r.severity}>{r.severity}</Badge>
                        </td>
                        <td title={r.resourceId}>
                          <div className="cell-main">
                            <a
                              href={`/findings/${r.id}`}
                              tabIndex={vi.index === tabStop ? 0 : -1}
                              aria-describedby={`${cellId(vi.index, "risk")} ${cellId(vi.index, "sev")} ${cellId(vi.index, "rec")}`}
                              onFocus={() => setFocus(vi.index)}
                              onClick={(e) => {
                                if (!isPlainClick(e)) return;
                                e.preventDefault();
                                open(vi.index, r);
                              }}
                            >
                              {r.resourceName}
                            </a>
                            <span className="muted small">{r.resourceType.split("/").pop()}</span>
                          </div>
                        </td>
                        <td id={cellId(vi.index, "rec")} title={r.recommendation}>
                          {r.recommendation}
                          {r.exempt && <Badge kind="exempt">exempt</Badge>}
                        </td>
                        <td>{r.environment}</td>
                        <td title={r.ownerEmail ?? r.owner}>{r.owner}</td>
                        <td className="small">{r.frameworks.map(fwLabel).join(", ")}</td>
                      </>
                    ) : (
                      <td colSpan={COLUMNS.length} className="muted">
                        <span aria-hidden="true">…</span>
                        <span className="sr-only">Loading</span>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
            <tbody aria-hidden="true" className="spacer">
              <tr>
                <td colSpan={COLUMNS.length} style={{ height: after }} />
              </tr>
            </tbody>
          </table>
        </div>
      </div>
      <p className="muted small">Keyboard: Tab into the list, ↑/↓ move, PgUp/PgDn jump, Home/End first/last, Enter or Space opens the finding, Esc there returns here.</p>
    </div>
  );
}
