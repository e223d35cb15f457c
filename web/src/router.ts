import { useEffect, useState } from "react";

/** A tiny pushState router: the server answers every non-file path with the app shell. */
export function navigate(to: string, state: Record<string, unknown> | null = null): void {
  if (to === location.pathname + location.search) return;
  history.pushState(state, "", to);
  window.dispatchEvent(new PopStateEvent("popstate"));
  window.scrollTo(0, 0);
}

/** Merges `patch` into the current history entry's state (kept across back/forward), without navigating. */
export function patchHistoryState(patch: Record<string, unknown>): void {
  history.replaceState({ ...(history.state ?? {}), ...patch }, "", location.href);
}

/** A value stored in the current history entry's state, or undefined. */
export function historyState<T>(key: string): T | undefined {
  const s = history.state as Record<string, unknown> | null;
  return s && typeof s === "object" ? (s[key] as T | undefined) : undefined;
}

export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const on = () => setPath(location.pathname);
    window.addEventListener("popstate", on);
    return () => window.removeEventListener("popstate", on);
  }, []);
  return path;
}

/** A plain left click without modifiers: the only click the app handles in place (others open tabs, windows…). */
export function isPlainClick(e: { button: number; metaKey: boolean; ctrlKey: boolean; shiftKey: boolean; altKey?: boolean }): boolean {
  return e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey;
}

/** Link that navigates in-app on plain left click and stays a real link (new tab, keyboard, screen readers). */
export function linkProps(to: string) {
  return {
    href: to,
    onClick: (e: { button: number; metaKey: boolean; ctrlKey: boolean; shiftKey: boolean; altKey?: boolean; preventDefault: () => void }) => {
      if (!isPlainClick(e)) return;
      e.preventDefault();
      navigate(to);
    },
  };
}
