// The event log, dead letters and the audit log: filters, newest pages, "load more".
import { useState } from "react";
import type { AuditPage, DeadLetterPage, DeadLetterView, EventPage } from "../api/types";
import { dateTime } from "../components/format";
import { FilterForm, Paged, type Filters } from "../components/Paged";
import { StatusBadge } from "../components/StatusBadge";

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
