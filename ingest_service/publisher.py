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
from typing import Any, Final

from ingest_service.availability import comparable, lot_availability
from ingest_service.db import Connection
from ingest_service.transport import MessageSource, Outbound
from schemas.db.locks import PUBLISH_LOCK_CLASS
from schemas.messages import ResyncCommand, to_payload
from schemas.read_side import slot_state_message
from schemas.topics import NodeTopicKind, availability_topic, node_topic

PUBLISH_TIMEOUT_S: Final = 10.0

_LOCK_LOT = "SELECT pg_advisory_xact_lock(%s, %s::integer)"
_LOT_CODE = "SELECT code FROM parking_lots WHERE id = %s"
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
_LOTS_WITH_PENDING = """
    SELECT DISTINCT s.lot_id FROM slots s LEFT JOIN published_slot_states p ON p.slot_id = s.id
    WHERE s.retired_at IS NULL AND s.state_version > coalesce(p.version, -1)
"""


@dataclass(frozen=True, slots=True)
class Published:
    """How many read-side messages one round sent."""

    slot_states: int = 0
    availability: int = 0


def _slot_state(lot_code: str, row: Sequence[Any]) -> Outbound:
    _id, code, status, since, confirmed, source, confidence, _version = row
    topic, payload = slot_state_message(
        lot_code, code, status=status, since=since, last_confirmed_at=confirmed, source=source,
        confidence=confidence,
    )  # fmt: skip
    return Outbound(topic, payload, retain=True)


def publish_lot(conn: Connection, source: MessageSource, lot_id: int, now: datetime) -> Published:
    """Publish a lot's unpublished slot states and changed availability (caller commits)."""
    conn.execute(_LOCK_LOT, (PUBLISH_LOCK_CLASS, lot_id))
    code_row = conn.execute(_LOT_CODE, (lot_id,)).fetchone()
    if code_row is None:
        return Published()
    lot_code = str(code_row[0])
    pending = conn.execute(_PENDING_SLOTS, (lot_id,)).fetchall()
    outbound = [_slot_state(lot_code, row) for row in pending]
    availability = lot_availability(conn, lot_id, lot_code, now)
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


def resync_commands(node_ids: Iterable[str]) -> list[Outbound]:
    """`{"cmd":"resync"}` for each node, on its cmd topic (QoS 1, not retained)."""
    # Exactly DESIGN.md's `{"cmd":"resync"}`: no null request_id.
    payload = ResyncCommand(cmd="resync").model_dump_json(exclude_none=True).encode()
    return [Outbound(node_topic(n, NodeTopicKind.CMD), payload) for n in sorted(set(node_ids))]
