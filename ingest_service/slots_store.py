"""Slot state in SQL: newest-wins detection, sessions, and the effective status.

Callers lock the slots first (`schemas.db.slot_status.lock_slots`, in id order, which also
reads every fact the effective status needs) and then call the rest in the same transaction.
The decisions are the pure ones of `rules` and `schemas.status`; one guarded UPDATE per batch
writes them, and its WHERE clause enforces newest-wins by itself.
"""

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from ingest_service.db import Connection
from ingest_service.rules import (
    NewSession,
    Observation,
    SessionOp,
    newest,
    plan_sessions,
    session_ops,
)
from schemas.db.slot_status import NODE_ALIVE, LockedSlot
from schemas.enums import StatusSource
from schemas.status import SlotFacts, effective_status

_NODES_ALIVE = f"SELECT n.id, {NODE_ALIVE} FROM nodes n WHERE n.id = ANY(%s)"  # noqa: S608


class NewEvent(NamedTuple):
    """An event this batch inserted (not a redelivery; a tuple: thousands per batch)."""

    slot_id: int
    observation: Observation
    confidence: float | None
    node_id: str


# The rows travel as one JSON document: psycopg dumps arrays element by element in Python,
# which cost more than the UPDATE itself.
# The guard: only a strictly newer (observed_at, seq, event_id) replaces the stored one, so
# a late or concurrent older event can never win, whatever the caller decided.
_APPLY = """
    UPDATE slots s SET detected_status = u.status, detected_at = u.at, detected_seq = u.seq,
        detected_event_id = u.event_id, detected_confidence = u.confidence,
        detected_node_id = u.node_id, last_confirmed_at = u.at,
        status = u.effective, status_source = u.source,
        status_since = CASE WHEN u.changed THEN u.since ELSE s.status_since END,
        state_version = s.state_version + u.changed::int, updated_at = now()
    FROM json_to_recordset(%s::json) AS u(id bigint, status text, at timestamptz, seq bigint,
        event_id uuid, confidence float8, node_id text, effective text, source text,
        changed boolean, since timestamptz)
    WHERE s.id = u.id AND (
        s.detected_at IS NULL
        OR (s.detected_at, coalesce(s.detected_seq, -1),
            coalesce(s.detected_event_id, '00000000-0000-0000-0000-000000000000'::uuid))
           < (u.at, u.seq, u.event_id)
    )
"""


def nodes_alive(conn: Connection, node_ids: Iterable[str]) -> dict[str, bool]:
    """Whether each node's detections count (online and enabled)."""
    ids = sorted(set(node_ids))
    return dict(conn.execute(_NODES_ALIVE, (ids,)).fetchall()) if ids else {}


def apply_detections(
    conn: Connection,
    locked: dict[int, LockedSlot],
    events: Sequence[NewEvent],
    alive: dict[str, bool],
    now: datetime,
) -> tuple[set[int], set[int]]:
    """Apply the newest new event per slot, its status and sessions: (updated slots, lots).

    `alive` says which of the events' nodes are online (`nodes_alive`).
    """
    by_slot: dict[int, list[NewEvent]] = defaultdict(list)
    for e in events:
        by_slot[e.slot_id].append(e)
    updates: list[dict[str, Any]] = []
    sessions: dict[int, list[SessionOp]] = {}
    changed_lots: set[int] = set()
    for slot_id, slot_events in by_slot.items():
        slot = locked[slot_id]
        observations = [e.observation for e in slot_events]
        best = newest(slot.key, observations)
        if best is None:
            continue  # only late events: history, nothing else
        chosen = next(e for e in slot_events if e.observation is best)
        facts = SlotFacts(
            detected=best.status,
            closed=slot.facts.closed,
            override=slot.facts.override,
            override_until=slot.facts.override_until,
            reserved_until=slot.facts.reserved_until,
            node_alive=alive.get(chosen.node_id, False),
        )
        status, source = effective_status(facts, now)
        changed = (status.value, source.value) != (slot.status, slot.source)
        since = best.at if source is StatusSource.DETECTED and status.value == best.status else now
        updates.append({
            "id": slot_id, "status": best.status.value, "at": best.at.isoformat(),
            "seq": best.key[1], "event_id": str(best.event_id), "confidence": chosen.confidence,
            "node_id": chosen.node_id, "effective": status.value, "source": source.value,
            "changed": changed, "since": since.isoformat(),
        })  # fmt: skip
        if changed:
            changed_lots.add(slot.lot_id)
        if ops := session_ops(slot.detected, slot.key, observations):
            sessions[slot_id] = ops
    if updates:
        conn.execute(_APPLY, (json.dumps(updates),))
    _write_sessions(conn, locked, sessions)
    return {u["id"] for u in updates}, changed_lots


# Sessions are shared with the API: a driver's check-in opens one (opened_by 'driver') or
# joins the one detection opened. Whoever opened it, the open session is the stay.
_OPEN_SESSIONS = "SELECT slot_id FROM parking_sessions WHERE slot_id = ANY(%s) AND ended_at IS NULL"
# A free transition ends the open session whoever opened it, unless it was observed before
# the session started (a late event must not end a later check-in). An event id that already
# ended a stay ends no other: slot_events dedupes on (event_id, observed_at), so a node reusing
# an id with another time is a second observation, but never a second session boundary.
_CLOSE_OPEN = """
    UPDATE parking_sessions p SET ended_at = u.at, end_event_id = u.event_id
    FROM unnest(%s::bigint[], %s::timestamptz[], %s::uuid[]) AS u(slot_id, at, event_id)
    WHERE p.slot_id = u.slot_id AND p.ended_at IS NULL AND p.started_at <= u.at
        AND NOT EXISTS (SELECT 1 FROM parking_sessions q WHERE q.end_event_id = u.event_id)
"""
# A driver may check in between our read of the open sessions and this insert: the unique
# open-session index (uq_parking_sessions_open_slot) then keeps theirs as the stay. DO NOTHING
# without a target also skips a session whose start or end event id is already a boundary
# (the reused id above).
_INSERT_SESSIONS = """
    INSERT INTO parking_sessions (slot_id, lot_id, opened_by, started_at, start_event_id,
        ended_at, end_event_id)
    SELECT u.slot_id, u.lot_id, 'detection', u.started_at, u.start_id, u.ended_at, u.end_id
    FROM unnest(%s::bigint[], %s::bigint[], %s::timestamptz[], %s::uuid[], %s::timestamptz[],
                %s::uuid[]) AS u(slot_id, lot_id, started_at, start_id, ended_at, end_id)
    ON CONFLICT DO NOTHING
"""


def _write_sessions(
    conn: Connection, locked: dict[int, LockedSlot], sessions: dict[int, list[SessionOp]]
) -> None:
    """Occupied -> free transitions as session rows, in two set-based statements."""
    if not sessions:
        return
    has_open = {row[0] for row in conn.execute(_OPEN_SESSIONS, (sorted(sessions),))}
    closes: list[tuple[Any, ...]] = []
    inserts: list[tuple[Any, ...]] = []
    for slot_id, ops in sessions.items():
        writes = plan_sessions(slot_id in has_open, ops)
        if writes.close_open is not None:
            closes.append((slot_id, writes.close_open.at, writes.close_open.event_id))
        inserts += [_session_row(locked[slot_id], s) for s in writes.inserts]
    if closes:
        conn.execute(_CLOSE_OPEN, [list(c) for c in zip(*closes, strict=True)])
    if inserts:
        conn.execute(_INSERT_SESSIONS, [list(c) for c in zip(*inserts, strict=True)])


def _session_row(slot: LockedSlot, s: NewSession) -> tuple[Any, ...]:
    return (slot.slot_id, slot.lot_id, s.started_at, s.start_event_id, s.ended_at, s.end_event_id)
