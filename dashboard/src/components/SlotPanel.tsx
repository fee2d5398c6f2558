// One slot: its freshness, the override in force, recent detections and stays.
import { useState } from "react";
import type { AdminSlot, EventPage, OverrideBody, SlotSessionPage, SlotView } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { useApi } from "../hooks/useApi";
import { ago, dateTime, duration } from "./format";
import { OverrideForm } from "./OverrideForm";
import { Async, Empty } from "./States";
import { StatusBadge } from "./StatusBadge";

const STALE_S = 15 * 60; // no agreeing detection for this long: show the slot as stale
const HISTORY_H = 24;

export function SlotPanel({ lot, slot, onClose }: { lot: string; slot: SlotView; onClose(): void }) {
  const { client } = useAuth();
  const [applied, setApplied] = useState<AdminSlot | null>(null);
  const [since] = useState(() => new Date(Date.now() - HISTORY_H * 3600_000).toISOString());
  const events = useApi<EventPage>("/admin/events", { lot_id: lot, slot_id: slot.slot_id, since, order: "newest", limit: 12 });
  const slotPath = `/admin/slots/${encodeURIComponent(lot)}/${encodeURIComponent(slot.slot_id)}`;
  const current = useApi<AdminSlot>(slotPath);
  const sessions = useApi<SlotSessionPage>(`${slotPath}/sessions`, { limit: 10 });
  const path = `${slotPath}/override`;
  // The answer of the last set/clear, else the override in force when the panel opened.
  const shown = applied ?? current.data;
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
      {shown?.override_status ? (
        <p className="notice">
          Override: {shown.override_status} — “{shown.override_reason}”, {shown.override_until ? `until ${dateTime(shown.override_until)}` : "until cleared"}
        </p>
      ) : null}
      <h3>Manual override</h3>
      <OverrideForm slotId={slot.slot_id} overridden={slot.source === "override" || Boolean(shown?.override_status)} onSet={setOverride} onClear={clearOverride} />
      <h3>Recent detections ({HISTORY_H} h)</h3>
      <Async what="the slot's events" result={events}>
        {(page) => <EventList events={page.items} />}
      </Async>
      <h3>Recent stays</h3>
      <Async what="the slot's stays" result={sessions}>
        {(page) => <StayList stays={page.items} />}
      </Async>
    </aside>
  );
}

function StayList({ stays }: { stays: SlotSessionPage["items"] }) {
  if (!stays.length) return <Empty>No stays recorded for this slot.</Empty>;
  return (
    <ol className="events">
      {stays.map((stay) => (
        <li key={stay.id}>
          {dateTime(stay.started_at)} →{" "}
          {stay.ended_at ? `${dateTime(stay.ended_at)} (${duration(stay.duration_s)})` : <span className="tag warn">still parked</span>}{" "}
          <span className="muted">
            {stay.opened_by === "driver" ? "checked in by a driver" : "detected"}
            {stay.opened_by === "detection" && stay.driver_checked_in ? ", driver checked in" : ""}
          </span>
        </li>
      ))}
    </ol>
  );
}

function EventList({ events }: { events: EventPage["items"] }) {
  if (!events.length) return <Empty>No detections in this window.</Empty>;
  return (
    <ol className="events">
      {events.map((event) => (
        <li key={event.event_id}>
          <StatusBadge status={event.status} /> {dateTime(event.observed_at)} <span className="muted">by {event.node_id} ({event.origin})</span>
        </li>
      ))}
    </ol>
  );
}
