// The event log, dead letters and the audit log: filters, newest pages, "load more".
import { useState, type FormEvent, type ReactNode } from "react";
import { ApiError } from "../api/client";
import type { AuditPage, DeadLetterPage, DeadLetterView, EventPage } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { dateTime } from "../components/format";
import { Empty, ErrorState, Loading } from "../components/States";
import { StatusBadge } from "../components/StatusBadge";
import { useApi } from "../hooks/useApi";

type Filters = Record<string, string>;

/** A small filter form: text inputs (or datetime-local for since/until), applied on submit. */
function FilterForm({ fields, onApply }: { fields: { name: string; label: string; type?: string }[]; onApply(f: Filters): void }) {
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

/** First page from useApi, further pages appended on demand. */
function Paged<T extends { items: unknown[]; next_cursor?: string | null }>({
  path,
  filters,
  what,
  render,
  moreLabel = "Load more",
}: {
  path: string;
  filters: Filters;
  what: string;
  render(items: T["items"]): ReactNode;
  moreLabel?: string;
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
      {items.length ? render(items) : <Empty>Nothing matches these filters.</Empty>}
      {error ? <ErrorState what={`more ${what}`} error={error} /> : null}
      {current.cursor && items.length ? (
        <button type="button" className="secondary" onClick={() => void loadMore()}>
          {moreLabel}
        </button>
      ) : null}
    </>
  );
}

export function EventsPage() {
  const [filters, setFilters] = useState<Filters>({});
  return (
    <>
      <h1>Event log</h1>
      <p className="muted">Slot events, newest first; filter by lot, slot, node and time.</p>
      <FilterForm
        fields={[
          { name: "lot_id", label: "Lot" },
          { name: "slot_id", label: "Slot" },
          { name: "node_id", label: "Node" },
          { name: "since", label: "Since", type: "datetime-local" },
          { name: "until", label: "Until", type: "datetime-local" },
        ]}
        onApply={setFilters}
      />
      <Paged<EventPage>
        path="/admin/events"
        filters={{ ...filters, order: "newest" }}
        what="events"
        moreLabel="Load older events"
        render={(items) => (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Observed</th>
                  <th scope="col">Lot / slot</th>
                  <th scope="col">Status</th>
                  <th scope="col">Node (seq)</th>
                  <th scope="col">Confidence</th>
                  <th scope="col">Origin</th>
                </tr>
              </thead>
              <tbody>
                {items.map((e) => (
                  <tr key={e.event_id}>
                    <td>{dateTime(e.observed_at)}</td>
                    <td>
                      {e.lot_id} / {e.slot_id}
                    </td>
                    <td>
                      <StatusBadge status={e.status} />
                    </td>
                    <td>
                      {e.node_id} ({e.seq})
                    </td>
                    <td>{e.confidence?.toFixed(2) ?? "—"}</td>
                    <td>{e.origin}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      />
    </>
  );
}

export function DeadLettersPage() {
  const [filters, setFilters] = useState<Filters>({});
  return (
    <>
      <h1>Dead letters</h1>
      <p className="muted">Messages ingest refused, newest first, with the reason and the raw payload; a message refused again is counted on its first row.</p>
      <FilterForm fields={[{ name: "reason", label: "Reason" }, { name: "node_id", label: "Node" }]} onApply={setFilters} />
      <Paged<DeadLetterPage>
        path="/admin/dead-letters"
        filters={filters}
        what="dead letters"
        render={(items) => (
          <ul className="log">
            {items.map((d) => (
              <DeadLetterItem key={d.id} letter={d} />
            ))}
          </ul>
        )}
      />
    </>
  );
}

/** One refused message; repeats of it (same topic, reason and bytes) are counted, not listed. */
export function DeadLetterItem({ letter: d }: { letter: DeadLetterView }) {
  return (
    <li>
      <p>
        <strong>{d.reason}</strong> · {dateTime(d.received_at)} · <code>{d.topic}</code>
        {d.node_id ? ` · ${d.node_id}` : ""}
      </p>
      {d.occurrences > 1 ? (
        <p>
          Refused {d.occurrences} times, last {dateTime(d.last_seen_at)}
        </p>
      ) : null}
      <p className="muted">{d.detail}</p>
      <details>
        <summary>Payload ({d.payload_size} bytes)</summary>
        <pre>{decode(d.payload_base64)}</pre>
      </details>
    </li>
  );
}

function decode(base64: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: false }).decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))).slice(0, 4000);
  } catch {
    return base64.slice(0, 4000);
  }
}

export function AuditPage() {
  const [filters, setFilters] = useState<Filters>({});
  return (
    <>
      <h1>Audit log</h1>
      <p className="muted">Every admin change, newest first: who, what, before and after.</p>
      <FilterForm
        fields={[
          { name: "entity_type", label: "Entity type" },
          { name: "entity_id", label: "Entity" },
          { name: "action", label: "Action" },
        ]}
        onApply={setFilters}
      />
      <Paged<AuditPage>
        path="/admin/audit"
        filters={filters}
        what="the audit log"
        render={(items) => (
          <ul className="log">
            {items.map((a) => (
              <li key={a.id}>
                <p>
                  <strong>{a.action}</strong> {a.entity_type} <code>{a.entity_id}</code> · {a.actor} · {dateTime(a.at)}
                </p>
                <details>
                  <summary>Before / after</summary>
                  <pre>{JSON.stringify({ before: a.before, after: a.after }, null, 2)}</pre>
                </details>
              </li>
            ))}
          </ul>
        )}
      />
    </>
  );
}
