// One slot: its freshness, recent detections, and the manual override.
import { useState } from "react";
import type { AdminSlot, EventPage, OverrideBody, SlotView } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { useApi } from "../hooks/useApi";
import { ago, dateTime } from "./format";
import { OverrideForm } from "./OverrideForm";
import { Async, Empty } from "./States";
import { StatusBadge } from "./StatusBadge";

const STALE_S = 15 * 60; // no agreeing detection for this long: show the slot as stale
const HISTORY_H = 24;

export function SlotPanel({ lot, slot, onClose }: { lot: string; slot: SlotView; onClose(): void }) {
  const { client } = useAuth();
  const [applied, setApplied] = useState<AdminSlot | null>(null);
  const [since] = useState(() => new Date(Date.now() - HISTORY_H * 3600_000).toISOString());
  const events = useApi<EventPage>("/admin/events", { lot_id: lot, slot_id: slot.slot_id, since, limit: 100 });
  const path = `/admin/slots/${encodeURIComponent(lot)}/${encodeURIComponent(slot.slot_id)}/override`;
  const confirmedAgo = slot.last_confirmed_at ? (Date.now() - new Date(slot.last_confirmed_at).getTime()) / 1000 : null;
  const stale = confirmedAgo === null || confirmedAgo > STALE_S;

  const setOverride = async (body: OverrideBody) => {
    setApplied(await client.request<AdminSlot>(path, { method: "PUT", body }));
    events.reload();
  };
  const clearOverride = async () => {
    setApplied(await client.request<AdminSlot>(path, { method: "DELETE" }));
  };

  return (
    <aside className="slot-panel" aria-label={`Slot ${slot.slot_id}`}>
      <header>
        <h2>Slot {slot.slot_id}</h2>
        <button type="button" className="secondary" onClick={onClose} aria-label="Close slot panel">
          Close
        </button>
      </header>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={slot.status} /> <span className="muted">({slot.source})</span>
        </dd>
        <dt>Since</dt>
        <dd>{dateTime(slot.since)} ({ago(slot.since)})</dd>
        <dt>Last confirmed</dt>
        <dd>
          {ago(slot.last_confirmed_at)} {stale ? <span className="tag warn">stale</span> : <span className="tag ok">fresh</span>}
        </dd>
        <dt>Confidence</dt>
        <dd>{slot.confidence === null || slot.confidence === undefined ? "—" : slot.confidence.toFixed(2)}</dd>
        <dt>Place</dt>
        <dd>
          floor {slot.floor ?? "—"}, row {slot.row ?? "—"}, {slot.kind}
        </dd>
      </dl>
      {applied?.override_status ? (
        <p className="notice">
          Override: {applied.override_status} — “{applied.override_reason}”, {applied.override_until ? `until ${dateTime(applied.override_until)}` : "until cleared"}
        </p>
      ) : null}
      <h3>Manual override</h3>
      <OverrideForm slotId={slot.slot_id} overridden={slot.source === "override" || Boolean(applied?.override_status)} onSet={setOverride} onClear={clearOverride} />
      <h3>Recent detections ({HISTORY_H} h)</h3>
      <Async what="the slot's events" result={events}>
        {(page) => <EventList events={page.items} />}
      </Async>
      <h3>Sessions</h3>
      <p className="muted">
        The API has no staff route for a slot&apos;s parking sessions yet; the detections above show when it was taken and
        freed, and History shows session durations per lot.
      </p>
    </aside>
  );
}

function EventList({ events }: { events: EventPage["items"] }) {
  if (!events.length) return <Empty>No detections in this window.</Empty>;
  const newest = [...events].reverse().slice(0, 12);
  return (
    <ol className="events">
      {newest.map((event) => (
        <li key={event.event_id}>
          <StatusBadge status={event.status} /> {dateTime(event.observed_at)} <span className="muted">by {event.node_id} ({event.origin})</span>
        </li>
      ))}
    </ol>
  );
}
