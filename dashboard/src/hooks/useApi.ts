// One request's lifecycle for a component: loading, data or error, and reload.
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, type RequestOptions } from "../api/client";
import { useAuth } from "../auth/AuthContext";

export interface Loaded<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload(): void;
}

/** GET `path` (null: nothing to fetch yet); refetches when the path or query changes. */
export function useApi<T>(path: string | null, query?: RequestOptions["query"]): Loaded<T> {
  const { client } = useAuth();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(path !== null);
  const [round, setRound] = useState(0);
  const key = JSON.stringify(query ?? {});
  const queryRef = useRef(query);
  queryRef.current = query;

  useEffect(() => {
    if (path === null) return;
    const abort = new AbortController();
    setLoading(true);
    setError(null);
    client
      .request<T>(path, { query: queryRef.current, signal: abort.signal })
      .then((body) => setData(body))
      .catch((caught: unknown) => {
        if (abort.signal.aborted) return;
        setError(caught instanceof ApiError ? caught : new ApiError(0, null));
        setData(null);
      })
      .finally(() => {
        if (!abort.signal.aborted) setLoading(false);
      });
    return () => abort.abort();
  }, [client, path, key, round]);

  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { data, error, loading, reload };
}
