"""Occupancy over time from parking sessions: occupied slot-time per bucket, and durations;
revenue per local day from the payment log."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import text
from sqlalchemy.orm import Session

# Occupied seconds per bucket (and floor) from the sessions overlapping each bucket; a
# session still open counts until `now`.
_OCCUPIED: Final = text("""
    WITH buckets AS (
        SELECT b AS start, least(b + :step, :to) AS stop
        FROM generate_series(CAST(:from AS timestamptz), CAST(:to AS timestamptz) - interval '1 microsecond', :step) AS b
    )
    SELECT b.start, CASE WHEN :by_floor THEN f.level END AS level,
        sum(extract(epoch FROM least(coalesce(p.ended_at, :now), b.stop)
                              - greatest(p.started_at, b.start))) AS occupied_s,
        count(*) FILTER (WHERE p.started_at >= b.start AND p.started_at < b.stop) AS started
    FROM buckets b
    JOIN parking_sessions p ON p.lot_id = :lot AND p.started_at < b.stop
        AND coalesce(p.ended_at, :now) > b.start
    JOIN slots s ON s.id = p.slot_id
    LEFT JOIN rows r ON r.id = s.row_id LEFT JOIN floors f ON f.id = r.floor_id
    GROUP BY 1, 2
""")  # noqa: E501
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


def occupancy(
    session: Session,
    lot_id: int,
    window: tuple[datetime, datetime],
    step: timedelta,
    *,
    by_floor: bool,
    now: datetime,
) -> dict[int | None, tuple[int, list[BucketFigures]]]:
    """Per floor (or None: the lot): slots in service and the bucket figures."""
    start, end = window
    params = {
        "lot": lot_id,
        "from": start,
        "to": end,
        "step": step,
        "now": now,
        "by_floor": by_floor,
    }
    slot_counts = {row.level: row.n for row in session.execute(_SLOTS, params)}
    figures: dict[int | None, dict[datetime, Any]] = {}
    for row in session.execute(_OCCUPIED, params):
        figures.setdefault(row.level, {})[row.start] = (float(row.occupied_s), row.started)
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
