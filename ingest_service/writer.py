"""One batch, one transaction: node liveness, staged events, newest-wins, sessions, status.

The order of the steps is the lock order (nodes by id, then slots by id), which is what
lets any number of workers write the same slots without deadlocks.
"""

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ingest_service.db import Connection
from ingest_service.decode import Beat, Birth, Death, Event, Item, Reason, Rejected
from ingest_service.nodes_store import apply_node_messages
from ingest_service.rules import Observation, birth_event_id
from ingest_service.slots_store import NewEvent, apply_detections, lock_slots, refresh_status
from ingest_service.transport import Inbound
from schemas.enums import DetectedStatus

_STAGE_COLUMNS = (
    "idx, event_id, node_id, lot_code, slot_code, status, confidence, observed_at, seq, "
    "detector, origin"
)
_COPY_STAGE = "COPY ingest_stage (" + _STAGE_COLUMNS + ") FROM STDIN"

# Resolution against the layout and the node registry, in SQL, so it is never stale.
_RESOLVE = """
    INSERT INTO ingest_ok
    SELECT s.idx, s.event_id, s.node_id, l.id, sl.id, s.status, s.confidence, s.observed_at,
        s.seq, s.detector, s.origin
    FROM ingest_stage s
    JOIN parking_lots l ON l.code = s.lot_code
    JOIN nodes n ON n.id = s.node_id AND n.lot_id = l.id AND n.enabled
    JOIN slots sl ON sl.lot_id = l.id AND sl.code = s.slot_code AND sl.retired_at IS NULL
"""
_UNRESOLVED = """
    SELECT s.idx, s.slot_code, s.lot_code, s.node_id, CASE
        WHEN l.id IS NULL THEN 'unknown_lot'
        WHEN n.id IS NULL OR n.lot_id <> l.id OR NOT n.enabled THEN 'unknown_node'
        ELSE 'unknown_slot' END
    FROM ingest_stage s
    LEFT JOIN parking_lots l ON l.code = s.lot_code
    LEFT JOIN nodes n ON n.id = s.node_id
    LEFT JOIN slots sl ON sl.lot_id = l.id AND sl.code = s.slot_code AND sl.retired_at IS NULL
    WHERE l.id IS NULL OR n.id IS NULL OR n.lot_id <> l.id OR NOT n.enabled OR sl.id IS NULL
    ORDER BY s.idx
"""
_SLOTS_OF_NODES = "SELECT id FROM slots WHERE detected_node_id = ANY(%s)"
# Deduplication by event_id: a redelivered event is simply not inserted again, and only the
# rows really inserted come back to drive state.
_INSERT_EVENTS = """
    INSERT INTO slot_events (event_id, slot_id, lot_id, node_id, status, confidence,
        observed_at, seq, detector, origin)
    SELECT DISTINCT ON (event_id) event_id, slot_id, lot_id, node_id, status, confidence,
        observed_at, seq, detector, origin
    FROM ingest_ok ORDER BY event_id
    ON CONFLICT (event_id) DO NOTHING
    RETURNING slot_id, observed_at, seq, event_id, status, confidence, node_id, origin
"""
_DEAD_LETTER = """
    INSERT INTO dead_letters (topic, payload, reason, detail, node_id) VALUES (%s, %s, %s, %s, %s)
"""


@dataclass
class BatchOutcome:
    """What a committed batch did, for metrics, logs and the read side."""

    dead_letters: Counter[str] = field(default_factory=Counter)
    events_written: int = 0
    duplicates: int = 0
    observed: list[datetime] = field(default_factory=list)
    changed_lots: set[int] = field(default_factory=set)
    resync: list[str] = field(default_factory=list)


def write_batch(
    conn: Connection,
    items: Sequence[Item],
    messages: Sequence[Inbound],
    now: datetime,
    dead_letter_max_bytes: int,
) -> BatchOutcome:
    """Write one batch inside the caller's transaction."""
    outcome = BatchOutcome()
    rejected = [item for item in items if isinstance(item, Rejected)]
    node_messages = [item for item in items if isinstance(item, Birth | Death | Beat)]
    nodes = apply_node_messages(conn, node_messages, now)
    rejected += nodes.rejected
    outcome.resync = nodes.resync

    events = [item for item in items if isinstance(item, Event)]
    staged = _stage(conn, events, nodes.accepted_births)
    if staged:
        # A temp table has no statistics until analysed: without them the planner joins
        # thousands of staged rows by nested loops over the layout.
        conn.execute("ANALYZE ingest_stage")
    resolved = conn.execute(_RESOLVE).rowcount if staged else 0
    if resolved < staged:
        rejected += _unresolved(conn)
    rejected_idx = {r.index for r in rejected}

    liveness_slots = (
        [row[0] for row in conn.execute(_SLOTS_OF_NODES, (nodes.liveness_changed,)).fetchall()]
        if nodes.liveness_changed
        else []
    )
    # History first: its foreign-key KEY SHARE locks on slots never conflict, so the slot
    # locks below are held only for the short state update, not for the inserts.
    inserted = (
        [_new_event(row) for row in conn.execute(_INSERT_EVENTS).fetchall()] if resolved else []
    )
    outcome.observed = [e.observation.at for e, origin in inserted if origin == "event"]
    outcome.events_written = len(outcome.observed)
    outcome.duplicates = sum(1 for e in events if e.index not in rejected_idx) - len(
        outcome.observed
    )
    locked = lock_slots(conn, [*(e.slot_id for e, _ in inserted), *liveness_slots], now)
    updated: set[int] = set()
    if inserted:
        updated, outcome.changed_lots = apply_detections(
            conn, locked, [e for e, _origin in inserted], now
        )
    others = [locked[s] for s in liveness_slots if s not in updated and s in locked]
    outcome.changed_lots |= refresh_status(conn, others, now)
    _dead_letters(conn, rejected, messages, dead_letter_max_bytes)
    outcome.dead_letters = Counter(r.reason.value for r in rejected)
    return outcome


def _new_event(row: Sequence[Any]) -> tuple[NewEvent, str]:
    slot_id, at, seq, event_id, status, confidence, node_id, origin = row
    observation = Observation((at, seq, event_id), DetectedStatus(status))
    return NewEvent(slot_id, observation, confidence, node_id), origin


def _stage_rows(events: Sequence[Event], births: Sequence[Birth]) -> Iterator[tuple[object, ...]]:
    for item in events:
        e = item.event
        yield (
            item.index, e.event_id, e.node_id, e.lot_id, e.slot_id, e.status.value,
            e.confidence, e.observed_at, e.seq, e.detector, "event",
        )  # fmt: skip
    for born in births:
        b = born.birth
        for slot_id, status in b.slots.items():
            event_id = birth_event_id(born.node_id, b.bdseq, slot_id)
            yield (
                born.index, event_id, born.node_id, b.lot_id, slot_id, status.value,
                None, b.ts, b.seq, b.detector, "birth",
            )  # fmt: skip


def _stage(conn: Connection, events: Sequence[Event], births: Sequence[Birth]) -> int:
    count = 0
    with conn.cursor() as cur, cur.copy(_COPY_STAGE) as copy:
        for row in _stage_rows(events, births):
            copy.write_row(row)
            count += 1
    return count


def _unresolved(conn: Connection) -> list[Rejected]:
    """One rejection per message (a birth lists every slot it could not place)."""
    by_index: dict[int, tuple[str, list[str], str]] = {}
    for idx, slot_code, lot_code, node_id, reason in conn.execute(_UNRESOLVED).fetchall():
        entry = by_index.setdefault(idx, (reason, [], node_id))
        entry[1].append(f"{lot_code}/{slot_code}")
    return [
        Rejected(idx, Reason(reason), _unresolved_detail(Reason(reason), places), node_id)
        for idx, (reason, places, node_id) in by_index.items()
    ]


def _unresolved_detail(reason: Reason, places: list[str]) -> str:
    what = {
        Reason.UNKNOWN_LOT: "no such lot",
        Reason.UNKNOWN_NODE: "node not registered for this lot",
        Reason.UNKNOWN_SLOT: "no such slot in the lot",
    }[reason]
    shown = ", ".join(places[:10]) + (f" and {len(places) - 10} more" if len(places) > 10 else "")
    return f"{what}: {shown}"


def _dead_letters(
    conn: Connection, rejected: Sequence[Rejected], messages: Sequence[Inbound], max_bytes: int
) -> None:
    if not rejected:
        return
    rows = []
    for r in rejected:
        message = messages[r.index]
        payload, detail = message.payload, r.detail
        if len(payload) > max_bytes:
            detail += f" (payload truncated to {max_bytes} of {len(payload)} bytes)"
            payload = payload[:max_bytes]
        rows.append((_text(message.topic), payload, r.reason.value, _text(detail), r.node_id))
    with conn.cursor() as cur:
        cur.executemany(_DEAD_LETTER, rows)


def _text(value: str) -> str:
    """PostgreSQL text cannot hold NUL; a hostile topic or key must not fail the batch."""
    return value.replace("\x00", "\\x00")
