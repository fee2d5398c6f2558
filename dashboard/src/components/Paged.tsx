// Lists the API pages with keyset cursors: a filter form, the newest page, "load more".
import { useState, type FormEvent, type ReactNode } from "react";
import { ApiError } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { useApi } from "../hooks/useApi";
import { Empty, ErrorState, Loading } from "./States";

export type Filters = Record<string, string>;

/** A small filter form: text inputs (or datetime-local for since/until), applied on submit. */
export function FilterForm({ fields, onApply }: { fields: { name: string; label: string; type?: string }[]; onApply(f: Filters): void }) {
  const [values, setValues] = useState<Filters>({});
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const out: Filters = {};
    for (const [key, value] of Object.entries(values)) {
      if (!value) continue;
      out[key] = key === "since" || key === "until" ? new Date(value).toISOString() : value.trim();
    }
    onApply(out);
  };
  return (
    <form className="filters" onSubmit={submit} aria-label="Filters">
      {fields.map((f) => (
        <span key={f.name}>
          <label htmlFor={`filter-${f.name}`}>{f.label}</label>
          <input id={`filter-${f.name}`} type={f.type ?? "text"} value={values[f.name] ?? ""} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })} />
        </span>
      ))}
      <button type="submit">Apply</button>
    </form>
  );
}

/** First page from useApi, further pages appended on demand (remount with a new `key` to
 * start again after a change). */
export function Paged<T extends { items: unknown[]; next_cursor?: string | null }>({
  path,
  filters,
  what,
  render,
  moreLabel = "Load more",
  empty = "Nothing matches these filters.",
}: {
  path: string;
  filters: Filters;
  what: string;
  render(items: T["items"]): ReactNode;
  moreLabel?: string;
  empty?: ReactNode;
}) {
  const { client } = useAuth();
  const first = useApi<T>(path, { ...filters, limit: 50 });
  const [more, setMore] = useState<{ items: T["items"]; cursor: string | null; key: unknown } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  if (first.error) return <ErrorState what={what} error={first.error} retry={first.reload} />;
  if (!first.data) return <Loading what={what} />;
  const current = more && more.key === first.data ? more : { items: [], cursor: first.data.next_cursor ?? null, key: first.data };
  const items = [...first.data.items, ...current.items];
  const loadMore = async () => {
    try {
      const next = await client.request<T>(path, { query: { ...filters, limit: 50, cursor: current.cursor } });
      setMore({ items: [...current.items, ...next.items], cursor: next.items.length ? (next.next_cursor ?? null) : null, key: first.data });
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : new ApiError(0, null));
    }
  };
  return (
    <>
      {items.length ? render(items) : <Empty>{empty}</Empty>}
      {error ? <ErrorState what={`more ${what}`} error={error} /> : null}
      {current.cursor && items.length ? (
        <button type="button" className="secondary" onClick={() => void loadMore()}>
          {moreLabel}
        </button>
      ) : null}
    </>
  );
}
