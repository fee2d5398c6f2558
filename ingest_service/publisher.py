"""The read side: retained slot-state and availability topics, published from an outbox.

`slots.state_version` rises with every effective-status change (in the writing
transaction); `published_slot_states` and `published_availability` record what went out.
Publishing for a lot holds a per-lot advisory lock and sends the *current* committed state,
so concurrent workers publish in commit order and retained topics converge on the database;
the outbox rows make a state go out once, and a crash between commit and publish is caught
up by the next sweep.
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Protocol

from ingest_service.availability import comparable, lot_availability
from ingest_service.db import Connection
from ingest_service.transport import Outbound
from schemas.db.locks import PUBLISH_LOCK_CLASS
from schemas.messages import ResyncCommand, format_utc, to_payload
from schemas.opening_hours import open_state
from schemas.read_side import slot_state_message
from schemas.topics import NodeTopicKind, availability_topic, node_topic

if TYPE_CHECKING:
    from ingest_service.operations import OpsContext

PUBLISH_TIMEOUT_S: Final = 10.0

_LOCK_LOT = "SELECT pg_advisory_xact_lock(%s, %s::integer)"
_LOT = "SELECT code, opening_hours, timezone, latitude, longitude FROM parking_lots WHERE id = %s"
_PENDING_SLOTS = """
    SELECT s.id, s.code, s.status, s.status_since, s.last_confirmed_at, s.status_source,
        s.detected_confidence, s.state_version
    FROM slots s LEFT JOIN published_slot_states p ON p.slot_id = s.id
    WHERE s.lot_id = %s AND s.retired_at IS NULL AND s.state_version > coalesce(p.version, -1)
    ORDER BY s.id
"""
_MARK_SLOTS = """
    INSERT INTO published_slot_states (slot_id, version, published_at)
    SELECT u.slot_id, u.version, %s FROM unnest(%s::bigint[], %s::bigint[]) AS u(slot_id, version)
    ON CONFLICT (slot_id) DO UPDATE SET version = excluded.version,
        published_at = excluded.published_at
"""
_PUBLISHED_COUNTS = "SELECT counts FROM published_availability WHERE lot_id = %s"
_MARK_COUNTS = """
    INSERT INTO published_availability (lot_id, counts, published_at) VALUES (%s, %s, %s)
    ON CONFLICT (lot_id) DO UPDATE SET counts = excluded.counts,
        published_at = excluded.published_at
"""
# Lots whose retained availability may say a stale open state: those with opening hours,
# and those published closed or with a next change (their hours may be gone since).
_PUBLISHED_HOURS = """
    SELECT l.id, l.opening_hours, l.timezone, l.latitude, l.longitude,
        p.counts ->> 'open', p.counts ->> 'next_change'
    FROM parking_lots l JOIN published_availability p ON p.lot_id = l.id
    WHERE l.opening_hours IS NOT NULL OR p.counts ->> 'open' = 'false'
        OR p.counts ->> 'next_change' IS NOT NULL
    ORDER BY l.id
"""
_LOTS_WITH_PENDING = """
    SELECT DISTINCT s.lot_id FROM slots s LEFT JOIN published_slot_states p ON p.slot_id = s.id
    WHERE s.retired_at IS NULL AND s.state_version > coalesce(p.version, -1)
"""


@dataclass(frozen=True, slots=True)
class Published:
    """How many read-side messages one round sent."""

    slot_states: int = 0
    availability: int = 0


class Sender(Protocol):
    """Where read-side messages go: the worker's transport, or the operations job's."""

    def publish(self, messages: Sequence[Outbound], timeout: float) -> None: ...


def _slot_state(lot_code: str, row: Sequence[Any]) -> Outbound:
    _id, code, status, since, confirmed, source, confidence, _version = row
    topic, payload = slot_state_message(
        lot_code, code, status=status, since=since, last_confirmed_at=confirmed, source=source,
        confidence=confidence,
    )  # fmt: skip
    return Outbound(topic, payload, retain=True)


def publish_lot(conn: Connection, source: Sender, lot_id: int, now: datetime) -> Published:
    """Publish a lot's unpublished slot states and changed availability (caller commits)."""
    conn.execute(_LOCK_LOT, (PUBLISH_LOCK_CLASS, lot_id))
    lot = conn.execute(_LOT, (lot_id,)).fetchone()
    if lot is None:
        return Published()
    lot_code, expression, timezone, lat, lon = lot
    pending = conn.execute(_PENDING_SLOTS, (lot_id,)).fetchall()
    outbound = [_slot_state(lot_code, row) for row in pending]
    hours = open_state(expression, now, timezone, (lat, lon))
    availability = lot_availability(conn, lot_id, lot_code, now, hours)
    counts = comparable(availability)
    previous = conn.execute(_PUBLISHED_COUNTS, (lot_id,)).fetchone()
    counts_changed = previous is None or previous[0] != counts
    if counts_changed:
        outbound.append(Outbound(availability_topic(lot_code), to_payload(availability), True))
    if not outbound:
        return Published()
    source.publish(outbound, PUBLISH_TIMEOUT_S)
    if pending:
        conn.execute(_MARK_SLOTS, (now, [r[0] for r in pending], [r[7] for r in pending]))
    if counts_changed:
        conn.execute(_MARK_COUNTS, (lot_id, json.dumps(counts), now))
    return Published(len(pending), int(counts_changed))


def lots_with_pending(conn: Connection) -> list[int]:
    """Lots with a slot state not yet published (after a crash, or changed by the API)."""
    return sorted(row[0] for row in conn.execute(_LOTS_WITH_PENDING).fetchall())


def lots_opened_or_closed(conn: Connection, now: datetime) -> list[int]:
    """Published lots whose open state at `now` (open, next change) is not the retained one:
    they opened or closed by their hours, or their hours were edited."""
    changed = []
    for lot_id, expression, timezone, lat, lon, was_open, was_next in conn.execute(
        _PUBLISHED_HOURS
    ).fetchall():
        state = open_state(expression, now, timezone, (lat, lon))
        next_change = None if state.next_change is None else format_utc(state.next_change)
        if (was_open, was_next) != (str(state.open).lower(), next_change):
            changed.append(lot_id)
    return changed


class _OpsSender:
    def __init__(self, ctx: "OpsContext") -> None:
        self._ctx = ctx

    def publish(self, messages: Sequence[Outbound], timeout: float) -> None:
        self._ctx.publish(messages)


def republish_opened_or_closed(ctx: "OpsContext") -> None:
    """Operations task: republish the availability of lots that opened or closed (no slot
    changes then, so the outbox alone would not)."""
    for lot_id in lots_opened_or_closed(ctx.conn, ctx.now):
        with ctx.conn.transaction():
            publish_lot(ctx.conn, _OpsSender(ctx), lot_id, ctx.now)


def resync_commands(node_ids: Iterable[str]) -> list[Outbound]:
    """`{"cmd":"resync"}` for each node, on its cmd topic (QoS 1, not retained)."""
    # Exactly DESIGN.md's `{"cmd":"resync"}`: no null request_id.
    payload = ResyncCommand(cmd="resync").model_dump_json(exclude_none=True).encode()
    return [Outbound(node_topic(n, NodeTopicKind.CMD), payload) for n in sorted(set(node_ids))]
