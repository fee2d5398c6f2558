"""History at city scale: weekly `slot_events` partitions created ahead, old ones dropped by
retention, and hourly occupancy rollups; tasks of the operations job (`operations.py`).

- `ensure_partitions` creates every week from the oldest an event may still be observed in
  (`INGEST_MAX_EVENT_AGE_S` back, at most 4 weeks) to `PARTITIONS_AHEAD_WEEKS` ahead, and the
  week of any row that landed in `slot_events_default` (moving those rows into it), so no
  row is ever refused for want of a partition.
- `drop_expired` drops whole weekly partitions past `INGEST_HISTORY_RETENTION_DAYS` (never a
  DELETE), and only once the rollup has passed them.
- `roll_up` rolls complete hours up into `occupancy_hourly` (`schemas/db/occupancy.py`) and
  rolls again the hours that events committed since the last run touched: every row written
  by a transaction the last run could not see has `tx_id >= seen_xmin` (that run's snapshot
  xmin), so late events from a node's offline buffer are found through the (tx_id, id) index.

DDL takes a short ACCESS EXCLUSIVE lock on `slot_events`: `lock_timeout` keeps a task that
waits behind a long transaction from stalling ingest's inserts queued behind it; it simply
tries again next round.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import psycopg
from prometheus_client import CollectorRegistry, Counter
from psycopg import sql

from ingest_service.db import Connection
from ingest_service.operations import OpsContext, Task
from schemas.db.occupancy import OCCUPANCY_SECONDS
from schemas.db.partitions import DEFAULT, PARENT, WEEK, expired, partition_name, weeks_wanted

log = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
PARTITIONS_AHEAD_WEEKS = 4
# Weeks made back to the oldest event ingest accepts, but no more than this many: an older
# late event (a very long INGEST_MAX_EVENT_AGE_S) lands in the default partition and gets a
# week of its own the next round, instead of hundreds of empty weeks made up front.
PARTITIONS_BACK_MAX = timedelta(weeks=4)
# An hour is rolled up this long after it ends: events in flight at the boundary are in.
ROLLUP_GRACE = timedelta(minutes=2)
# New hours per run, so catching up months of history goes in steps of one commit each.
ROLLUP_MAX_HOURS = 24 * 7
_LOCK_TIMEOUT = "SET LOCAL lock_timeout = '5s'"
_COLUMNS = (
    "event_id, id, slot_id, lot_id, node_id, status, confidence, observed_at, seq, detector, "
    "origin, received_at, tx_id"
)
_PARTITIONS = """
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'slot_events'::regclass
"""
_DEFAULT_WEEKS = (
    "SELECT DISTINCT date_bin('7 days', observed_at, TIMESTAMPTZ '2001-01-01 00:00Z')"
    " FROM slot_events_default"
)
_DEFAULT_HOLDS = (
    "SELECT EXISTS (SELECT 1 FROM slot_events_default WHERE observed_at >= %s AND observed_at < %s)"
)
_ROLLUP = f"""
    INSERT INTO occupancy_hourly (lot_id, kind, hour, slots, occupied_avg, free_avg, unknown_avg)
    SELECT lot_id, kind, bucket, round(sum(slot_s) / 3600)::int,
        (sum(occupied_s) / 3600)::float8, (sum(free_s) / 3600)::float8,
        (sum(unknown_s) / 3600)::float8
    FROM ({OCCUPANCY_SECONDS}) seconds
    GROUP BY lot_id, kind, bucket
    ON CONFLICT (lot_id, kind, hour) DO UPDATE SET slots = EXCLUDED.slots,
        occupied_avg = EXCLUDED.occupied_avg, free_avg = EXCLUDED.free_avg,
        unknown_avg = EXCLUDED.unknown_avg
"""  # noqa: S608 (a constant statement)
_SNAPSHOT_XMIN = "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
_STATE = "SELECT rolled_to, seen_xmin FROM occupancy_rollup_state WHERE id = 1 FOR UPDATE"
_SAVE_STATE = """
    INSERT INTO occupancy_rollup_state (id, rolled_to, seen_xmin) VALUES (1, %s, %s)
    ON CONFLICT (id) DO UPDATE SET rolled_to = EXCLUDED.rolled_to, seen_xmin = EXCLUDED.seen_xmin
"""
# The lot's first event (through its (lot_id, observed_at) index in every partition).
_FIRST_EVENT = """
    SELECT min(first) FROM parking_lots l
    CROSS JOIN LATERAL (SELECT min(observed_at) AS first FROM slot_events e
                        WHERE e.lot_id = l.id) f
"""
# Events of rolled hours written by a transaction the last run did not see.
_LATE = """
    SELECT lot_id, min(observed_at) FROM slot_events
    WHERE tx_id >= %s AND observed_at < %s GROUP BY lot_id
"""
_ROLLED_TO = "SELECT rolled_to FROM occupancy_rollup_state WHERE id = 1"
_ORIGIN = datetime(2001, 1, 1, tzinfo=UTC)  # a Monday, on every hour and week boundary


def hour_start(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


class HistoryMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.partitions_created = Counter(
            "ingest_history_partitions_created_total",
            "Weekly slot_events partitions created (ahead, or for rows in the default one).",
            registry=registry,
        )
        self.partitions_dropped = Counter(
            "ingest_history_partitions_dropped_total",
            "Weekly slot_events partitions dropped by INGEST_HISTORY_RETENTION_DAYS.",
            registry=registry,
        )
        self.rows_moved = Counter(
            "ingest_history_default_rows_moved_total",
            "Rows moved from slot_events_default into the week created for them.",
            registry=registry,
        )
        self.hours_rolled = Counter(
            "ingest_occupancy_hours_rolled_total",
            "Hours rolled up into occupancy_hourly: new ones, and lot-hours again for late events.",
            ["pass"],
            registry=registry,
        )


def _names(conn: Connection) -> list[str]:
    return [row[0] for row in conn.execute(_PARTITIONS)]


def ensure_partitions(conn: Connection, now: datetime, back: timedelta) -> tuple[list[str], int]:
    """Create the weeks wanted and those of rows in the default partition: (created, moved)."""
    existing = set(_names(conn))
    wanted = set(weeks_wanted(now, min(back, PARTITIONS_BACK_MAX), PARTITIONS_AHEAD_WEEKS))
    wanted |= {w.astimezone(UTC) for (w,) in conn.execute(_DEFAULT_WEEKS)}
    created, moved = [], 0
    for start in sorted(wanted):
        name = partition_name(start)
        if name in existing:
            continue
        moved += _create_week(conn, name, start)
        created.append(name)
    return created, moved


def _create_week(conn: Connection, name: str, start: datetime) -> int:
    """Create one week; rows of it in the default partition move in (the default is
    detached meanwhile: attaching a week checks that the default holds none of its rows)."""
    bounds = (start, start + WEEK)
    create = sql.SQL("CREATE TABLE {} PARTITION OF {} FOR VALUES FROM ({}) TO ({})").format(
        sql.Identifier(name), sql.Identifier(PARENT), sql.Literal(bounds[0]),
        sql.Literal(bounds[1]),
    )  # fmt: skip
    with conn.transaction():
        conn.execute(_LOCK_TIMEOUT)
        holds = conn.execute(_DEFAULT_HOLDS, bounds).fetchone()
        if not (holds and holds[0]):
            conn.execute(create)
            return 0
        conn.execute(f"ALTER TABLE {PARENT} DETACH PARTITION {DEFAULT}")
        conn.execute(create)
        where = " WHERE observed_at >= %s AND observed_at < %s"
        cur = conn.execute(
            f"INSERT INTO {PARENT} ({_COLUMNS}) OVERRIDING SYSTEM VALUE"  # noqa: S608
            f" SELECT {_COLUMNS} FROM {DEFAULT}" + where,
            bounds,
        )
        conn.execute(f"DELETE FROM {DEFAULT}" + where, bounds)  # noqa: S608
        conn.execute(f"ALTER TABLE {PARENT} ATTACH PARTITION {DEFAULT} DEFAULT")
        return cur.rowcount


def drop_expired(conn: Connection, now: datetime, retention: timedelta) -> list[str]:
    """Drop the weekly partitions wholly older than `retention` that the rollup has passed."""
    row = conn.execute(_ROLLED_TO).fetchone()
    if row is None:
        return []  # nothing rolled up yet: every week is still needed
    dropped = []
    for name in expired(_names(conn), now, retention, row[0]):
        with conn.transaction():
            conn.execute(_LOCK_TIMEOUT)
            conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(name)))
        dropped.append(name)
    return dropped


@dataclass
class Rolled:
    """What one rollup run did: hours rolled for the first time, and per lot again."""

    new: list[datetime] = field(default_factory=list)
    again: dict[int, datetime] = field(default_factory=dict)  # lot -> first hour re-rolled
    again_hours: int = 0  # lot-hours rolled again
    rolled_to: datetime | None = None


def roll_up(conn: Connection, now: datetime, max_hours: int = ROLLUP_MAX_HOURS) -> Rolled:
    """One run, in one REPEATABLE READ transaction (one snapshot: what it rolls and the
    xmin it records agree)."""
    out = Rolled()
    end = hour_start(now - ROLLUP_GRACE)
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    try:
        with conn.transaction():
            xmin = int(conn.execute(_SNAPSHOT_XMIN).fetchall()[0][0])
            state = conn.execute(_STATE).fetchone()
            if state is None:
                first = conn.execute(_FIRST_EVENT).fetchone()
                rolled_to = hour_start(first[0]) if first and first[0] else end
            else:
                rolled_to, seen_xmin = state
                out.again = _roll_late(conn, seen_xmin, rolled_to)
                out.again_hours = sum((rolled_to - h) // HOUR for h in out.again.values())
            upto = min(end, rolled_to + max_hours * HOUR)
            if upto > rolled_to:
                _roll(conn, rolled_to, upto, None)
                out.new = [rolled_to + n * HOUR for n in range((upto - rolled_to) // HOUR)]
                rolled_to = upto
            conn.execute(_SAVE_STATE, (rolled_to, xmin))
            out.rolled_to = rolled_to
    finally:
        conn.isolation_level = None
    return out


def _roll_late(conn: Connection, seen_xmin: int, rolled_to: datetime) -> dict[int, datetime]:
    """Roll again, per lot, the rolled hours from the first one a late event touched."""
    late = {lot: hour_start(first) for lot, first in conn.execute(_LATE, (seen_xmin, rolled_to))}
    by_start: dict[datetime, list[int]] = defaultdict(list)
    for lot, start in late.items():
        by_start[start].append(lot)
    for start, lots in sorted(by_start.items()):
        _roll(conn, start, rolled_to, sorted(lots))
    return late


def _roll(conn: Connection, start: datetime, stop: datetime, lots: list[int] | None) -> None:
    params = {"from": start, "to": stop, "step": HOUR, "origin": _ORIGIN, "lots": lots}
    conn.execute(_ROLLUP, params)


def history_tasks(
    registry: CollectorRegistry, *, max_event_age: timedelta, retention: timedelta | None
) -> list[Task]:
    """The operations job's history tasks (retention None: keep every week)."""
    metrics = HistoryMetrics(registry)

    def partitions(ctx: OpsContext) -> None:
        created, moved = ensure_partitions(ctx.conn, ctx.now, max_event_age)
        metrics.partitions_created.inc(len(created))
        metrics.rows_moved.inc(moved)
        if created:
            log.info(
                "slot_events partitions created",
                extra={"partitions": created, "rows_moved": moved},
            )
        if retention is not None:
            dropped = drop_expired(ctx.conn, ctx.now, retention)
            metrics.partitions_dropped.inc(len(dropped))
            if dropped:
                log.info(
                    "slot_events partitions dropped by retention", extra={"partitions": dropped}
                )

    def rollup(ctx: OpsContext) -> None:
        rolled = roll_up(ctx.conn, ctx.now)
        metrics.hours_rolled.labels("new").inc(len(rolled.new))
        metrics.hours_rolled.labels("late").inc(rolled.again_hours)

    return [
        Task("history_partitions", timedelta(minutes=10), partitions),
        Task("occupancy_rollup", timedelta(minutes=1), rollup),
    ]
