"""What each alert kind measures: one value per subject in a rule's scope, read from the
stored facts at the round's time `now` (schemas/alerts.py says when a value breaches).

Subjects: a lot's code (lot kinds), a node's id (node kinds), `lot/slot` (slot kinds). A
subject no longer measured (a node disabled, an override ended) counts as clear.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from ingest_service.db import Connection
from schemas.alerts import INGEST_LAG_WINDOW_S, AlertKind


@dataclass(frozen=True, slots=True)
class Scope:
    """A rule's reach: its operator's lots, or one of them."""

    operator_id: int
    lot_id: int | None


@dataclass(frozen=True, slots=True)
class Observation:
    lot_id: int
    lot_code: str
    value: float
    details: dict[str, Any] = field(default_factory=dict)
    # For rate kinds: the counter reading the value is derived from (alert_conditions).
    counter: int | None = None


Observations = dict[str, Observation]


def _rows(conn: Connection, sql: str, scope: Scope, now: datetime) -> list[tuple[Any, ...]]:
    """Rows of `sql`, whose lots `l` are limited to the scope (every query says so)."""
    params = {
        "operator": scope.operator_id,
        "lot": scope.lot_id,
        "now": now,
        "lag_window_s": INGEST_LAG_WINDOW_S,
    }
    return conn.execute(sql, params).fetchall()


def free_slots(conn: Connection, scope: Scope, now: datetime) -> Observations:
    """Free slots per lot (in-service slots' stored effective status); empty lots skipped."""
    rows = _rows(
        conn,
        """SELECT l.id, l.code, count(s.id) FILTER (WHERE s.status = 'free'), count(s.id)
            FROM parking_lots l JOIN slots s ON s.lot_id = l.id AND s.retired_at IS NULL
            WHERE l.operator_id = %(operator)s
              AND (%(lot)s::bigint IS NULL OR l.id = %(lot)s) GROUP BY l.id, l.code""",
        scope,
        now,
    )
    return {
        code: Observation(lot, code, free, {"free": free, "total": total})
        for lot, code, free, total in rows
    }


def node_silence(conn: Connection, scope: Scope, now: datetime) -> Observations:
    """Per enabled node: seconds silent while not online (0 when online)."""
    rows = _rows(
        conn,
        """SELECT n.id, l.id, l.code, n.state, n.last_seen,
                   extract(epoch FROM %(now)s - coalesce(n.last_seen, n.created_at))::float8
            FROM nodes n JOIN parking_lots l ON l.id = n.lot_id
            WHERE l.operator_id = %(operator)s
              AND (%(lot)s::bigint IS NULL OR l.id = %(lot)s) AND n.enabled""",
        scope,
        now,
    )
    return {
        node: Observation(
            lot,
            code,
            0.0 if state == "online" else max(silent, 0.0),
            {"state": state, "last_seen": last_seen.isoformat() if last_seen else None},
        )
        for node, lot, code, state, last_seen, silent in rows
    }


def camera_health(conn: Connection, scope: Scope, now: datetime) -> Observations:
    """Per enabled online node: 1 when its last heartbeat said the camera is not ok."""
    rows = _rows(
        conn,
        """SELECT n.id, l.id, l.code, n.camera_ok
            FROM nodes n JOIN parking_lots l ON l.id = n.lot_id
            WHERE l.operator_id = %(operator)s
              AND (%(lot)s::bigint IS NULL OR l.id = %(lot)s)
              AND n.enabled AND n.state = 'online'""",
        scope,
        now,
    )
    return {
        node: Observation(lot, code, 1.0 if ok is False else 0.0, {"camera_ok": ok})
        for node, lot, code, ok in rows
    }


def override_expiry(conn: Connection, scope: Scope, now: datetime) -> Observations:
    """Per slot with an override that ends later: seconds left."""
    rows = _rows(
        conn,
        """SELECT l.code || '/' || s.code, l.id, l.code, s.override_status, s.override_until,
                   extract(epoch FROM s.override_until - %(now)s)::float8
            FROM slots s JOIN parking_lots l ON l.id = s.lot_id
            WHERE l.operator_id = %(operator)s
              AND (%(lot)s::bigint IS NULL OR l.id = %(lot)s)
              AND s.retired_at IS NULL AND s.override_status IS NOT NULL
              AND s.override_until > %(now)s""",
        scope,
        now,
    )
    return {
        key: Observation(
            lot, code, left, {"override_status": status, "override_until": until.isoformat()}
        )
        for key, lot, code, status, until, left in rows
    }


def dead_letter_totals(conn: Connection, scope: Scope, now: datetime) -> Observations:
    """Per lot: refused messages of its nodes so far (repeats counted), as a counter; the
    evaluator turns two readings into a rate. Letters without a node belong to no lot."""
    rows = _rows(
        conn,
        """SELECT l.id, l.code, coalesce(sum(d.occurrences), 0)::bigint
            FROM parking_lots l
            LEFT JOIN nodes n ON n.lot_id = l.id
            LEFT JOIN dead_letters d ON d.node_id = n.id
            WHERE l.operator_id = %(operator)s
              AND (%(lot)s::bigint IS NULL OR l.id = %(lot)s) GROUP BY l.id, l.code""",
        scope,
        now,
    )
    return {code: Observation(lot, code, 0.0, {}, counter=total) for lot, code, total in rows}


def ingest_lag(conn: Connection, scope: Scope, now: datetime) -> Observations:
    """Per lot: the largest received_at - observed_at of its node events (not birth
    snapshots) received in the last minute; 0 without any."""
    rows = _rows(
        conn,
        """SELECT l.id, l.code,
                   coalesce(max(extract(epoch FROM e.received_at - e.observed_at)), 0)::float8,
                   count(e.event_id)
            FROM parking_lots l
            LEFT JOIN slot_events e ON e.lot_id = l.id AND e.origin = 'event'
                 AND e.observed_at >= %(now)s - make_interval(secs => %(lag_window_s)s)
                 AND e.received_at >= %(now)s - interval '1 minute'
            WHERE l.operator_id = %(operator)s
              AND (%(lot)s::bigint IS NULL OR l.id = %(lot)s) GROUP BY l.id, l.code""",
        scope,
        now,
    )
    return {
        code: Observation(lot, code, max(lag, 0.0), {"events": events})
        for lot, code, lag, events in rows
    }


Observer = Callable[[Connection, Scope, datetime], Observations]

OBSERVERS: Final[Mapping[AlertKind, Observer]] = {
    AlertKind.LOT_FULL: free_slots,
    AlertKind.LOT_FREE_BELOW: free_slots,
    AlertKind.NODE_OFFLINE: node_silence,
    AlertKind.CAMERA_NOT_OK: camera_health,
    AlertKind.OVERRIDE_EXPIRING: override_expiry,
    AlertKind.DEAD_LETTER_RATE: dead_letter_totals,
    AlertKind.INGEST_LAG: ingest_lag,
}
