"""A slot's stored effective status: recomputed from its facts, in one place for every writer.

Ingest (after a node's liveness changes, in the sweep) and the admin API (after an override
or a node being enabled or disabled) store `slots.status`, `status_source` and
`status_since` the same way: lock the slots in id order reading every fact the precedence
rule needs (`lock_slots`), decide with `schemas.status.effective_status`, and write only what
changed, raising `state_version` so the read-side outbox republishes it (`refresh_status`).
`status_since` moves only when the status itself changes.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias
from uuid import UUID

import psycopg

from schemas.enums import DetectedStatus, OverrideStatus, SlotStatus, StatusSource
from schemas.status import EventKey, SlotFacts, effective_status

Connection: TypeAlias = psycopg.Connection[Any]

# Only an online, enabled node's detections count (dead, stale, never born, disabled or
# deleted: unknown), as the API reads it (api_service/services/status.py).
NODE_ALIVE = "coalesce(n.state = 'online' AND n.enabled, false)"

# ORDER BY id: every transaction locks slots in the same order, so concurrent workers cannot
# deadlock; NO KEY UPDATE does not conflict with the KEY SHARE locks of foreign keys.
_LOCK_SLOTS = f"""
    SELECT s.id, s.lot_id, s.detected_status, s.detected_at, s.detected_seq,
        s.detected_event_id, s.closed_at IS NOT NULL, s.override_status, s.override_until,
        (SELECT max(r.expires_at) FROM reservations r
         WHERE r.slot_id = s.id AND r.state = 'active'
           AND r.starts_at <= %(now)s AND r.expires_at > %(now)s),
        s.detected_node_id IS NULL OR {NODE_ALIVE}, s.status, s.status_source
    FROM slots s LEFT JOIN nodes n ON n.id = s.detected_node_id
    WHERE s.id = ANY(%(ids)s) ORDER BY s.id FOR NO KEY UPDATE OF s
"""  # noqa: S608 - a constant fragment, no input


@dataclass(frozen=True, slots=True)
class LockedSlot:
    """A locked slot: its detection and the other facts of its effective status."""

    slot_id: int
    lot_id: int
    detected: DetectedStatus
    key: EventKey | None
    facts: SlotFacts
    status: str
    source: str


def _locked(row: Sequence[Any]) -> LockedSlot:
    slot_id, lot_id, detected, at, seq, event_id, closed, override, until, reserved = row[:10]
    key = (at, seq if seq is not None else -1, event_id or UUID(int=0)) if at else None
    facts = SlotFacts(
        detected=DetectedStatus(detected),
        closed=closed,
        override=OverrideStatus(override) if override else None,
        override_until=until,
        reserved_until=reserved,
        node_alive=row[10],
    )
    return LockedSlot(slot_id, lot_id, DetectedStatus(detected), key, facts, row[11], row[12])


def lock_slots(conn: Connection, slot_ids: Iterable[int], now: datetime) -> dict[int, LockedSlot]:
    """Lock slots in id order and read what their status depends on."""
    ids = sorted(set(slot_ids))
    if not ids:
        return {}
    rows = conn.execute(_LOCK_SLOTS, {"ids": ids, "now": now}).fetchall()
    return {row[0]: _locked(row) for row in rows}


_SET_STATUS = """
    UPDATE slots s SET status = u.status, status_source = u.source,
        status_since = CASE WHEN s.status <> u.status THEN u.since ELSE s.status_since END,
        state_version = s.state_version + 1, updated_at = now()
    FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::timestamptz[])
        AS u(id, status, source, since)
    WHERE s.id = u.id
"""


def refresh_status(conn: Connection, locked: Iterable[LockedSlot], now: datetime) -> set[int]:
    """Recompute the effective status (schemas.status) of locked slots; the lots that changed.

    For changes that are not detections: node liveness, and the sweep.
    """
    changes: list[tuple[int, SlotStatus, StatusSource, datetime]] = []
    lots: set[int] = set()
    for slot in locked:
        status, source = effective_status(slot.facts, now)
        if (status.value, source.value) != (slot.status, slot.source):
            changes.append((slot.slot_id, status, source, now))
            lots.add(slot.lot_id)
    if changes:
        ids, statuses, sources, sinces = zip(*changes, strict=True)
        conn.execute(
            _SET_STATUS,
            (list(ids), [s.value for s in statuses], [s.value for s in sources], list(sinces)),
        )
    return lots


def store_effective_status(conn: Connection, slot_ids: Iterable[int], now: datetime) -> set[int]:
    """Lock these slots and store their effective status where it changed; the lots changed."""
    return refresh_status(conn, lock_slots(conn, slot_ids, now).values(), now)
