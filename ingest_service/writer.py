"""One batch, one transaction: node liveness, staged events, newest-wins, sessions, status.

The order of the steps is the lock order (nodes by id, dead letters by key, then slots by
id), which is what lets any number of workers write the same rows without deadlocks.
"""

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass, field, replace
from datetime import datetime, timedelta

from ingest_service.db import Connection
from ingest_service.decode import Beat, Birth, Death, Event, Item, Rejected
from ingest_service.nodes_store import apply_node_messages
from ingest_service.resolve import Placed, load_layout, resolve, sightings
from ingest_service.rules import Observation
from ingest_service.slots_store import NewEvent, apply_detections, nodes_alive
from ingest_service.transport import Inbound
from schemas.db.slot_status import lock_slots, refresh_status

_COPY_EVENTS = """
    COPY ingest_events (idx, event_id, node_id, lot_id, slot_id, status, confidence,
        observed_at, seq, detector, origin) FROM STDIN (FORMAT BINARY)
"""
# Binary COPY: psycopg's C dumpers write these types without Python-level formatting.
_COPY_TYPES = (
    "int4", "uuid", "text", "int8", "int8", "text", "float8", "timestamptz", "int8", "text", "text"
)  # fmt: skip
_SLOTS_OF_NODES = "SELECT id FROM slots WHERE detected_node_id = ANY(%s)"
# Deduplication by (event_id, observed_at), the partitioned table's primary key: a
# redelivered event (the node re-sends the payload its outbox stored) is simply not inserted
# again, and only the ids of rows really inserted come back to drive state (within a batch,
# the first copy of an event id wins, as in Python). A birth snapshot's stable id (node,
# bdseq, slot) comes again with another ts when the node re-births on the same connection
# (a new slot map, a snapshot command): that is not stored again, as before partitioning, so
# a birth id is looked up in every partition (births are rare; the node's row lock orders
# two batches with births of one node).
_INSERT_EVENTS = """
    INSERT INTO slot_events (event_id, slot_id, lot_id, node_id, status, confidence,
        observed_at, seq, detector, origin)
    SELECT DISTINCT ON (event_id) event_id, slot_id, lot_id, node_id, status, confidence,
        observed_at, seq, detector, origin
    FROM ingest_events i
    WHERE i.origin = 'event'
        OR NOT EXISTS (SELECT 1 FROM slot_events s WHERE s.event_id = i.event_id)
    ORDER BY event_id, idx
    ON CONFLICT (event_id, observed_at) DO NOTHING
    RETURNING event_id
"""
# One statement per batch: a message stored before (same topic, reason and stored payload)
# only counts up. Rows go in in key order (unnest keeps the arrays' order), so workers
# upserting the same dead letters lock them in the same order.
_DEAD_LETTERS = """
    INSERT INTO dead_letters (topic, payload, reason, detail, node_id, received_bytes,
        received_sha256, occurrences)
    SELECT * FROM unnest(%s::text[], %s::bytea[], %s::text[], %s::text[], %s::text[],
        %s::int8[], %s::bytea[], %s::int8[])
    ON CONFLICT (topic_sha256, reason, payload_sha256) DO UPDATE SET
        occurrences = dead_letters.occurrences + EXCLUDED.occurrences,
        last_seen_at = greatest(dead_letters.last_seen_at, EXCLUDED.last_seen_at)
"""

# A refused event was handled too: its seq lets the node's receipt pass it (stored events
# are found in slot_events). Seqs the receipt covers, and unregistered nodes, are left out;
# sorted rows, so concurrent batches meet on the same keys in the same order.
_REFUSED_SEQS = """
    INSERT INTO refused_seqs (node_id, seq)
    SELECT u.node_id, u.seq FROM unnest(%s::text[], %s::int8[]) AS u(node_id, seq)
    JOIN nodes n ON n.id = u.node_id
    LEFT JOIN node_receipts r ON r.node_id = u.node_id
    WHERE u.seq > coalesce(r.seq, -1)
    ORDER BY u.node_id, u.seq
    ON CONFLICT DO NOTHING
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
    receipts: set[str] = field(default_factory=set)  # nodes whose receipt may advance
    suppressed: Counter[str] = field(default_factory=Counter)  # dead letters over quota


def write_batch(
    conn: Connection,
    items: Sequence[Item],
    messages: Sequence[Inbound],
    now: datetime,
    dead_letter_max_bytes: int,
    *,
    clock_skew: timedelta = timedelta(0),
    admit: Callable[[Rejected], bool] = lambda _rejected: True,
) -> BatchOutcome:
    """Write one batch inside the caller's transaction.

    `admit` says whether a refused message is stored as a dead letter (the per-node quota);
    one that is not is still acknowledged and counted in `suppressed`.
    """
    outcome = BatchOutcome()
    rejected = [item for item in items if isinstance(item, Rejected)]
    node_messages = [item for item in items if isinstance(item, Birth | Death | Beat)]
    events = [item for item in items if isinstance(item, Event)]
    nodes = apply_node_messages(conn, node_messages, now, watched={e.node_id for e in events})
    rejected += nodes.rejected
    outcome.resync = nodes.resync

    rows = list(sightings(events, nodes.accepted_births))
    placed, unplaced = resolve(rows, load_layout(conn, rows), clock_skew) if rows else ([], [])
    rejected += unplaced
    rejected_idx = {r.index for r in rejected}

    liveness_slots = (
        [row[0] for row in conn.execute(_SLOTS_OF_NODES, (nodes.liveness_changed,)).fetchall()]
        if nodes.liveness_changed
        else []
    )
    # History first: its foreign-key KEY SHARE locks on slots never conflict with the slot
    # locks taken below.
    inserted = _insert_events(conn, placed)
    outcome.observed = [p.row.observed_at for p in inserted if p.row.origin == "event"]
    outcome.events_written = len(outcome.observed)
    outcome.duplicates = sum(1 for e in events if e.index not in rejected_idx) - len(
        outcome.observed
    )
    stored = [r for r in rejected if admit(r)]
    _dead_letters(conn, stored, messages, dead_letter_max_bytes)
    outcome.dead_letters = Counter(r.reason.value for r in stored)
    outcome.suppressed = Counter(r.reason.value for r in rejected) - outcome.dead_letters
    # A heartbeat or birth may raise the node's oldest seq, which advances its receipt too.
    refused = _record_refused_seqs(conn, rejected)
    outcome.receipts = {e.node_id for e in events} | refused | {m.node_id for m in node_messages}
    new_events = [_new_event(p) for p in inserted]
    # Slot locks last, held only for the state update and the commit: concurrent workers
    # writing the same slots wait for each other only that long.
    locked = lock_slots(conn, [*(p.slot_id for p in inserted), *liveness_slots], now)
    # The events' nodes are locked (`lock_nodes`): their liveness holds until commit.
    alive = nodes_alive(conn, {e.node_id for e in new_events})
    updated: set[int] = set()
    if new_events:
        updated, outcome.changed_lots = apply_detections(conn, locked, new_events, alive, now)
    others = [locked[s] for s in liveness_slots if s not in updated and s in locked]
    outcome.changed_lots |= refresh_status(conn, others, now)
    return outcome


def _record_refused_seqs(conn: Connection, rejected: Sequence[Rejected]) -> set[str]:
    """Note the seq of every refused event; the nodes they came from."""
    refused = {(r.node_id, r.seq) for r in rejected if r.node_id is not None and r.seq is not None}
    if not refused:
        return set()
    nodes, seqs = zip(*sorted(refused), strict=True)
    conn.execute(_REFUSED_SEQS, (list(nodes), list(seqs)))
    return set(nodes)


def _insert_events(conn: Connection, placed: Sequence[Placed]) -> list[Placed]:
    """COPY the placed observations, insert the new ones: those, first copy of each."""
    if not placed:
        return []
    with conn.cursor() as cur, cur.copy(_COPY_EVENTS) as copy:
        copy.set_types(_COPY_TYPES)
        for p in placed:
            r = p.row
            copy.write_row((
                r.position, r.event_id, r.node_id, p.lot_id, p.slot_id, r.status.value,
                r.confidence, r.observed_at, r.seq, r.detector, r.origin,
            ))  # fmt: skip
    new_ids = {row[0] for row in conn.execute(_INSERT_EVENTS).fetchall()}
    inserted = []
    for p in placed:
        if p.row.event_id in new_ids:
            new_ids.discard(p.row.event_id)  # a second copy in the batch was not inserted
            inserted.append(p)
    return inserted


def _new_event(p: Placed) -> NewEvent:
    r = p.row
    return NewEvent(p.slot_id, Observation((r.observed_at, r.seq, r.event_id), r.status),
                    r.confidence, r.node_id)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DeadLetterRow:
    """A dead letter as stored, and how often it came; fields in the INSERT's column order."""

    topic: str
    payload: bytes
    reason: str
    detail: str
    node_id: str | None
    received_bytes: int | None = None  # size and hash of what was received, when truncated
    received_sha256: bytes | None = None
    occurrences: int = 1

    @property
    def key(self) -> tuple[str, str, bytes]:
        """What the table's unique index hashes: the same message stored again."""
        return self.topic, self.reason, self.payload


def fold_dead_letters(
    rejected: Sequence[Rejected], messages: Sequence[Inbound], max_bytes: int
) -> list[DeadLetterRow]:
    """One row per stored message, with the first arrival's detail, in key order.

    An upsert cannot touch one row twice, so repeats within a batch are counted here.
    Truncated payloads are keyed by the bytes kept: two oversize messages that share their
    first `max_bytes` are the same dead letter.
    """
    first: dict[tuple[str, str, bytes], DeadLetterRow] = {}
    counts: Counter[tuple[str, str, bytes]] = Counter()
    for r in rejected:
        row = _stored(r, messages[r.index], max_bytes)
        first.setdefault(row.key, row)
        counts[row.key] += 1
    return [replace(first[key], occurrences=counts[key]) for key in sorted(first)]


def _stored(r: Rejected, message: Inbound, max_bytes: int) -> DeadLetterRow:
    topic, payload, detail = _text(message.topic), message.payload, r.detail
    if len(payload) <= max_bytes:
        return DeadLetterRow(topic, payload, r.reason.value, _text(detail), r.node_id)
    detail += f" (payload truncated to {max_bytes} of {len(payload)} bytes)"
    kept, size, digest = payload[:max_bytes], len(payload), hashlib.sha256(payload).digest()
    return DeadLetterRow(topic, kept, r.reason.value, _text(detail), r.node_id, size, digest)


def _dead_letters(
    conn: Connection, rejected: Sequence[Rejected], messages: Sequence[Inbound], max_bytes: int
) -> None:
    rows = fold_dead_letters(rejected, messages, max_bytes)
    if rows:
        columns = zip(*map(astuple, rows), strict=True)
        conn.execute(_DEAD_LETTERS, [list(column) for column in columns])


def _text(value: str) -> str:
    """PostgreSQL text cannot hold NUL; a hostile topic or key must not fail the batch."""
    return value.replace("\x00", "\\x00")
