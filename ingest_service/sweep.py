"""The periodic sweep: stale nodes, expired seq gaps, expired holds, unpublished state.

Each worker sweeps; row locks taken with SKIP LOCKED make concurrent sweeps share the
nodes instead of doing the work twice, and they never wait for a batch.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ingest_service.db import Connection
from ingest_service.nodes_store import NODE_ROW, fix_row
from ingest_service.rules import Island, NodeRow, advance_watermark, is_stale
from schemas.db.slot_status import lock_slots, refresh_status, store_effective_status

_LIVE_NODES = (
    NODE_ROW
    + "WHERE n.state IN ('online', 'stale') ORDER BY n.id FOR NO KEY UPDATE OF n SKIP LOCKED"
)
# Runs of consecutive seqs above each node's watermark (gaps-and-islands).
_ISLANDS = """
    SELECT node_id, min(seq), max(seq), min(first_at) FROM (
        SELECT e.node_id, e.seq, min(e.received_at) AS first_at,
            e.seq - row_number() OVER (PARTITION BY e.node_id ORDER BY e.seq) AS island
        FROM slot_events e JOIN nodes n ON n.id = e.node_id
        WHERE e.node_id = ANY(%s) AND e.origin = 'event' AND e.seq > coalesce(n.last_seq, -1)
        GROUP BY e.node_id, e.seq
    ) runs
    GROUP BY node_id, island
"""
_SET_WATERMARK = "UPDATE nodes SET last_seq = %s WHERE id = %s"
_MARK_STALE = "UPDATE nodes SET state = 'stale', updated_at = now() WHERE id = ANY(%s)"
_SLOTS_OF_NODES = "SELECT id FROM slots WHERE detected_node_id = ANY(%s)"
# Slots whose stored status a clock may have changed since it was written: an override or
# a reservation that has run out, or a reservation that has begun. A superset is fine:
# refresh_status writes only what the precedence rule (schemas.status) really changes.
_TIME_BOUND = """
    SELECT s.id FROM slots s
    WHERE s.retired_at IS NULL AND s.closed_at IS NULL AND (
        (s.status_source = 'override' AND s.override_until <= %(now)s)
        OR s.status_source = 'reservation'
        OR (s.status_source = 'detected' AND EXISTS (
            SELECT 1 FROM reservations r WHERE r.slot_id = s.id AND r.state = 'active'
              AND r.starts_at <= %(now)s AND r.expires_at > %(now)s)))
"""


@dataclass
class SweepOutcome:
    """What one sweep changed."""

    stale: list[str] = field(default_factory=list)
    resync: list[str] = field(default_factory=list)
    changed_lots: set[int] = field(default_factory=set)


def sweep_nodes(
    conn: Connection, now: datetime, stale_after: timedelta, reorder_window: timedelta
) -> SweepOutcome:
    """Mark silent nodes stale (their slots turn unknown) and resync nodes with old gaps."""
    outcome = SweepOutcome()
    rows = [fix_row(NodeRow(*r)) for r in conn.execute(_LIVE_NODES).fetchall()]
    if not rows:
        return outcome
    outcome.resync = _advance_watermarks(conn, rows, now, reorder_window)
    outcome.stale = [row.id for row in rows if is_stale(row, now, stale_after)]
    if outcome.stale:
        conn.execute(_MARK_STALE, (outcome.stale,))
        slots = [r[0] for r in conn.execute(_SLOTS_OF_NODES, (outcome.stale,)).fetchall()]
        locked = lock_slots(conn, slots, now)
        outcome.changed_lots = refresh_status(conn, locked.values(), now)
    return outcome


def sweep_expiries(conn: Connection, now: datetime) -> set[int]:
    """Recompute slots whose override or reservation ran out or began: the lots changed.

    Their state_version rises, so the read side republishes their retained state and the
    lot's availability (the outbox in `publisher`).
    """
    ids = [row[0] for row in conn.execute(_TIME_BOUND, {"now": now}).fetchall()]
    return store_effective_status(conn, ids, now)


def _advance_watermarks(
    conn: Connection, rows: list[NodeRow], now: datetime, window: timedelta
) -> list[str]:
    islands: dict[str, list[Island]] = {}
    for node_id, low, high, first_at in conn.execute(_ISLANDS, ([r.id for r in rows],)):
        islands.setdefault(node_id, []).append(Island(low, high, first_at))
    resync = []
    updates = []
    for row in rows:
        reported = (
            (row.reported_seq, row.reported_seq_at)
            if row.reported_seq is not None and row.reported_seq_at is not None
            else None
        )
        mark = advance_watermark(row.last_seq, islands.get(row.id, []), reported, now, window)
        if mark.resync:
            resync.append(row.id)
        if mark.last_seq != row.last_seq:
            updates.append((mark.last_seq, row.id))
    if updates:
        with conn.cursor() as cur:
            cur.executemany(_SET_WATERMARK, updates)
    return resync
