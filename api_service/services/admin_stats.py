"""Occupancy over time: occupied slot-time per bucket from the detected history, sessions
started per bucket, and session durations; revenue per local day from the payment log.

Occupied slot-time is the time-weighted detected state of the lot's slots
(`schemas/db/occupancy.py`). For a whole lot and buckets of whole hours, the hours the
rollup has passed are read from `occupancy_hourly` (a month is ~720 rows a kind, not
millions of events); the rest of the window (the hours not rolled up yet, the current
partial hour, sub-hour buckets, per-floor series) is computed from `slot_events`.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from schemas.db.occupancy import OCCUPANCY_SECONDS

HOUR: Final = timedelta(hours=1)
# Occupied seconds per bucket (and floor) computed from the raw events of [from, to).
_RAW: Final = f"""
    SELECT bucket AS start, CASE WHEN %(by_floor)s THEN level END AS level,
        sum(occupied_s)::float8 AS occupied_s
    FROM ({OCCUPANCY_SECONDS}) seconds GROUP BY 1, 2
"""  # noqa: S608 (a constant statement)
_ROLLED_TO: Final = text("SELECT rolled_to FROM occupancy_rollup_state WHERE id = 1")
_ROLLED_UP: Final = text("""
    SELECT date_bin(:step, hour, :from) AS start, sum(occupied_avg) * 3600 AS occupied_s
    FROM occupancy_hourly WHERE lot_id = :lot AND hour >= :from AND hour < :until
    GROUP BY 1
""")
_STARTED: Final = text("""
    SELECT date_bin(:step, p.started_at, :from) AS start,
        CASE WHEN :by_floor THEN f.level END AS level, count(*) AS started
    FROM parking_sessions p JOIN slots s ON s.id = p.slot_id
    LEFT JOIN rows r ON r.id = s.row_id LEFT JOIN floors f ON f.id = r.floor_id
    WHERE p.lot_id = :lot AND p.started_at >= :from AND p.started_at < :to
    GROUP BY 1, 2
""")
_SLOTS: Final = text("""
    SELECT CASE WHEN :by_floor THEN f.level END AS level, count(*) AS n
    FROM slots s JOIN rows r ON r.id = s.row_id JOIN floors f ON f.id = r.floor_id
    WHERE s.lot_id = :lot AND s.retired_at IS NULL GROUP BY 1
""")
# Since when the lot has data: its first slot event or parking session (both indexed by lot).
_DATA_FROM: Final = text("""
    SELECT least(
        (SELECT min(observed_at) FROM slot_events WHERE lot_id = :lot),
        (SELECT min(started_at) FROM parking_sessions WHERE lot_id = :lot)
    )
""")
_DURATIONS: Final = text("""
    SELECT count(*), count(ended_at), avg(duration_s),
        percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_s),
        percentile_cont(0.9) WITHIN GROUP (ORDER BY duration_s), max(duration_s)
    FROM parking_sessions WHERE lot_id = :lot AND started_at >= :from AND started_at < :to
""")


@dataclass(frozen=True, slots=True)
class BucketFigures:
    start: datetime
    occupancy: float | None  # None: the bucket ended before the lot had any data
    occupied_s: float
    sessions_started: int


def bucket_starts(start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    """Bucket start instants covering [start, end)."""
    out = []
    at = start
    while at < end:
        out.append(at)
        at += step
    return out


def series(
    starts: list[datetime],
    end: datetime,
    step: timedelta,
    slots: int,
    rows: dict[datetime, Any],
    *,
    data_from: datetime | None,
) -> list[BucketFigures]:
    """Each bucket's occupancy: occupied slot-seconds over the slot-seconds available, or None
    for a bucket that ended before `data_from` (the lot's first event or session; None: the
    lot has no data yet), which is not 0 % but unknown (pure)."""
    out = []
    for start in starts:
        stop = min(start + step, end)
        length = (stop - start).total_seconds()
        occupied, started = rows.get(start, (0.0, 0))
        capacity = slots * length
        share: float | None = min(1.0, occupied / capacity) if capacity > 0 else 0.0
        if data_from is None or stop <= data_from:
            share = None
        out.append(BucketFigures(start, share, float(occupied), int(started)))
    return out


def rolled_span(
    window: tuple[datetime, datetime],
    step: timedelta,
    rolled_to: datetime | None,
    *,
    whole_lot: bool,
) -> datetime:
    """Where the part of the window read from hourly rollups ends (it starts at the
    window's start; equal to it: none). Only whole hours the rollup has passed, for a whole
    lot, and buckets made of whole hours starting on an hour (pure)."""
    start, end = window
    aligned = start == start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    if rolled_to is None or not whole_lot or step % HOUR or not aligned:
        return start
    whole_hours = start + (end - start) // HOUR * HOUR
    return max(start, min(whole_hours, rolled_to))


def occupancy(
    session: Session,
    lot_id: int,
    window: tuple[datetime, datetime],
    step: timedelta,
    *,
    by_floor: bool,
    now: datetime,
    rollups: bool = True,
) -> dict[int | None, tuple[int, list[BucketFigures]]]:
    """Per floor (or None: the lot): slots in service and the bucket figures. `rollups`
    False computes everything from the raw events (the benchmark's and tests' reference)."""
    start, end = window
    params = {"lot": lot_id, "from": start, "to": end, "step": step, "by_floor": by_floor}
    slot_counts = {row.level: row.n for row in session.execute(_SLOTS, params)}
    figures: dict[int | None, dict[datetime, Any]] = {}

    def add(level: int | None, at: datetime, occupied: float = 0.0, started: int = 0) -> None:
        before = figures.setdefault(level, {}).get(at, (0.0, 0))
        figures[level][at] = (before[0] + occupied, before[1] + started)

    rolled_to = session.scalar(_ROLLED_TO) if rollups else None
    split = rolled_span(window, step, rolled_to, whole_lot=not by_floor)
    if split > start:
        for row in session.execute(_ROLLED_UP, {**params, "until": split}):
            add(None, row.start, float(row.occupied_s))
    # Nothing is known past `now`: as an open session did, the current state counts until now.
    stop = min(end, max(split, now))
    raw = {**params, "from": split, "to": stop, "origin": start, "lots": [lot_id]}
    if split < stop:
        for row in session.connection().exec_driver_sql(_RAW, raw):
            add(row.level, row.start, float(row.occupied_s))
    for row in session.execute(_STARTED, params):
        add(row.level, row.start, started=row.started)
    starts = bucket_starts(start, end, step)
    first = session.scalar(_DATA_FROM, params)
    keys = sorted(set(slot_counts) | set(figures), key=lambda k: (k is not None, k or 0))
    out = {}
    for key in keys:
        slots = slot_counts.get(key, 0)
        out[key] = (slots, series(starts, end, step, slots, figures.get(key, {}), data_from=first))
    return out


def durations(session: Session, lot_id: int, window: tuple[datetime, datetime]) -> Any:
    """(sessions, ended, mean, p50, p90, max) of sessions started in the window."""
    return session.execute(_DURATIONS, {"lot": lot_id, "from": window[0], "to": window[1]}).one()


# Money in on the local day a payment succeeded, out on the day it was refunded.
_REVENUE: Final = text("""
    WITH moves AS (
        SELECT (succeeded_at AT TIME ZONE :tz)::date AS day, currency,
            amount_minor AS succeeded, 0 AS refunded
        FROM payments WHERE lot_id = :lot AND succeeded_at >= :from AND succeeded_at < :to
        UNION ALL
        SELECT (refunded_at AT TIME ZONE :tz)::date, currency, 0, amount_minor
        FROM payments WHERE lot_id = :lot AND refunded_at >= :from AND refunded_at < :to
    )
    SELECT day, currency, sum(succeeded)::bigint AS succeeded, sum(refunded)::bigint AS refunded
    FROM moves GROUP BY day, currency ORDER BY day, currency
""")


@dataclass(frozen=True, slots=True)
class RevenueDay:
    day: date
    currency: str
    succeeded_minor: int
    refunded_minor: int

    @property
    def net_minor(self) -> int:
        return self.succeeded_minor - self.refunded_minor


def revenue_per_day(
    session: Session, lot_id: int, timezone: str, window: tuple[datetime, datetime]
) -> list[RevenueDay]:
    """Per local day (in `timezone`) and currency: payments that succeeded and were refunded
    within the window, by the day each happened."""
    params = {"lot": lot_id, "tz": timezone, "from": window[0], "to": window[1]}
    return [
        RevenueDay(row.day, row.currency, row.succeeded, row.refunded)
        for row in session.execute(_REVENUE, params)
    ]
