import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "./api";

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/** GET a path; re-fetches when the path changes; aborts stale requests. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: !!path });
  const [n, setN] = useState(0);
  useEffect(() => {
    if (!path) return;
    const ac = new AbortController();
    setState((s) => ({ ...s, loading: true, error: undefined }));
    api<T>(path, { signal: ac.signal })
      .then((data) => setState({ data, loading: false }))
      .catch((error) => {
        if ((error as Error).name !== "AbortError") setState({ error, loading: false });
      });
    return () => ac.abort();
  }, [path, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function useDebounced<T>(value: T, ms = 250): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function useLocalStorage<T>(key: string, initial: T): [T, (v: T) => void] {
  const [v, setV] = useState<T>(() => {
    try {
      const s = localStorage.getItem(key);
      return s ? (JSON.parse(s) as T) : initial;
    } catch {
      return initial;
    }
  });
  const set = useCallback(
    (x: T) => {
      setV(x);
      localStorage.setItem(key, JSON.stringify(x));
    },
    [key],
  );
  return [v, set];
}

/** A ref that is true while the component is mounted (set again on remount, as StrictMode does in development). */
export function useMounted() {
  const r = useRef(true);
  useEffect(() => {
    r.current = true;
    return () => {
      r.current = false;
    };
  }, []);
  return r;
}
