"""History at scale: weekly partitions created ahead and dropped by retention, and hourly
occupancy rollups that are exact across hour boundaries and roll late events in again."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from ingest_service.db import Database
from ingest_service.decode import Birth, Event, Item
from ingest_service.history import (
    ROLLUP_GRACE,
    drop_expired,
    ensure_partitions,
    hour_start,
    roll_up,
)
from ingest_service.operations import OperationsJob, default_tasks
from ingest_service.settings import IngestSettings
from ingest_service.writer import write_batch
from schemas.db.partitions import partition_name, partition_start, week_start
from schemas.enums import DetectedStatus
from schemas.messages import NodeBirth
from tests.integration.ingest_service.support import (
    event,
    import_example_lot,
    register_node,
    rows,
    scalar,
)

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 26, 8, tzinfo=UTC)  # a Thursday, 08:00 UTC
MIN = timedelta(minutes=1)
WEEK = timedelta(weeks=1)


@pytest.fixture
def conn(database_url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """An autocommit connection, as the operations job has."""
    url = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(url, autocommit=True) as connection:
        yield connection


def store(engine: Engine, slot: str, status: str, at: datetime, seq: int = 0) -> None:
    """One detection of a harbour-surface slot, committed in a transaction of its own."""
    with engine.begin() as c:
        c.exec_driver_sql(
            "INSERT INTO slot_events (event_id, slot_id, lot_id, node_id, status, observed_at,"
            " seq) SELECT %(id)s, s.id, s.lot_id, 'node-h', %(status)s, %(at)s, %(seq)s"
            " FROM slots s JOIN parking_lots l ON l.id = s.lot_id"
            " WHERE l.code = 'harbour-surface' AND s.code = %(slot)s",
            {"id": uuid.uuid4(), "status": status, "at": at, "seq": seq, "slot": slot},
        )


def partitions(engine: Engine) -> list[str]:
    found = rows(
        engine,
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = 'slot_events'::regclass",
    )
    return [name for (name,) in found]


def hourly(engine: Engine, kind: str) -> dict[datetime, tuple[int, float, float, float]]:
    found = rows(
        engine,
        "SELECT hour, slots, occupied_avg, free_avg, unknown_avg FROM occupancy_hourly"
        " WHERE kind = :kind ORDER BY hour",
        kind=kind,
    )
    return {hour: tuple(figures) for hour, *figures in found}


def test_rollup_is_exact_across_hours_and_rolls_late_events_again(
    engine: Engine, conn: psycopg.Connection[tuple[object, ...]]
) -> None:
    import_example_lot(engine, "harbour-surface")
    standard = scalar(engine, "SELECT count(*) FROM slots WHERE kind = 'standard'")
    ev = scalar(engine, "SELECT count(*) FROM slots WHERE kind = 'ev'")
    # A02: occupied from before 08:00 until 08:15, free, occupied 08:45, unknown at 09:30.
    store(engine, "A02", "occupied", T0 - 30 * MIN)
    store(engine, "A02", "free", T0 + 15 * MIN, seq=1)
    store(engine, "A02", "occupied", T0 + 45 * MIN, seq=2)
    store(engine, "A02", "unknown", T0 + 90 * MIN, seq=3)
    # A03: two observations at the same instant; the greater seq wins (newest-wins).
    store(engine, "A03", "free", T0 + 30 * MIN, seq=2)
    store(engine, "A03", "occupied", T0 + 30 * MIN, seq=1)
    # A04: occupied since ten days before (its state is found beyond the 8-day first look).
    store(engine, "A04", "occupied", T0 - 10 * 24 * 60 * MIN)
    first = roll_up(conn, T0 + 125 * MIN, max_hours=10_000)  # 10:05: up to 09 is complete
    assert len(first.new) == 10 * 24 + 2
    assert first.new[-3:] == [T0 - 60 * MIN, T0, T0 + 60 * MIN]
    assert first.rolled_to == T0 + 120 * MIN
    others = standard - 3
    rolled = hourly(engine, "standard")
    assert {hour: rolled[hour] for hour in first.new[-3:]} == {
        T0 - 60 * MIN: (standard, 1.5, 0.0, others + 1.5),
        T0: (standard, 1.5, 1.0, others + 0.5),
        T0 + 60 * MIN: (standard, 1.5, 1.0, others + 0.5),
    }
    assert hourly(engine, "ev")[T0] == (ev, 0.0, 0.0, float(ev))
    # A late event (a node's offline buffer): A02 was free from 09:10.
    store(engine, "A02", "free", T0 + 70 * MIN, seq=4)
    again = roll_up(conn, T0 + 126 * MIN)
    assert again.new == []
    assert again.again_hours == 1  # 09:00 of the one lot
    assert hourly(engine, "standard")[T0 + 60 * MIN] == pytest.approx(
        (standard, 1 + 1 / 6, 1 + 1 / 3, others + 0.5)
    )
    assert hourly(engine, "standard")[T0] == (standard, 1.5, 1.0, others + 0.5)
    # Nothing new: nothing rolled again.
    assert roll_up(conn, T0 + 127 * MIN).again == {}


def test_partitions_are_created_ahead_and_rows_without_one_are_kept(
    engine: Engine, conn: psycopg.Connection[tuple[object, ...]]
) -> None:
    import_example_lot(engine, "harbour-surface")
    now = datetime(2027, 3, 10, 12, tzinfo=UTC)  # a Wednesday
    # Beyond every partition: the row goes to the default one, never refused.
    far = datetime(2027, 6, 2, 9, tzinfo=UTC)
    store(engine, "A01", "occupied", far)
    assert scalar(engine, "SELECT count(*) FROM slot_events_default") == 1
    id_before = scalar(engine, "SELECT id FROM slot_events")
    created, moved = ensure_partitions(conn, now, timedelta(days=7))
    expected = [partition_name(week_start(now) + n * WEEK) for n in range(-1, 5)]
    assert set(expected) | {partition_name(week_start(far))} == set(created)
    assert moved == 1
    assert scalar(engine, "SELECT count(*) FROM slot_events_default") == 0
    assert rows(engine, "SELECT tableoid::regclass::text, id FROM slot_events") == [
        (partition_name(week_start(far)), id_before)
    ]
    assert ensure_partitions(conn, now, timedelta(days=7)) == ([], 0)  # all there


def test_retention_drops_whole_old_weeks_once_rolled_up_and_nothing_else(
    engine: Engine, conn: psycopg.Connection[tuple[object, ...]]
) -> None:
    import_example_lot(engine, "harbour-surface")
    now = datetime(2027, 3, 10, 12, tzinfo=UTC)
    for back in (10, 5, 0):
        ensure_partitions(conn, now - back * WEEK, timedelta(days=7))
    for weeks_ago in range(10, -1, -1):
        store(engine, "A01", "occupied" if weeks_ago % 2 else "free", now - weeks_ago * WEEK)
    events = scalar(engine, "SELECT count(*) FROM slot_events")
    # Nothing rolled up yet: nothing may go.
    assert drop_expired(conn, now, timedelta(days=30)) == []
    roll_up(conn, now - 6 * WEEK, max_hours=10_000)  # rolled up to 6 weeks ago only
    weeks = {name: partition_start(name) for name in partitions(engine)}
    dropped = drop_expired(conn, now, timedelta(days=30))
    rolled_to = scalar(engine, "SELECT rolled_to FROM occupancy_rollup_state")
    assert rolled_to == hour_start(now - 6 * WEEK - ROLLUP_GRACE)
    # Every week wholly before both the retention bound and the rollup, and only those.
    bound = min(now - timedelta(days=30), rolled_to)
    assert dropped == sorted(
        name for name, start in weeks.items() if start is not None and start + WEEK <= bound
    )
    assert partition_name(week_start(now - 7 * WEEK)) in dropped
    assert set(partitions(engine)) == set(weeks) - set(dropped)
    gone = sum(1 for n in range(11) if partition_name(week_start(now - n * WEEK)) in dropped)
    assert gone == 4  # 10, 9, 8 and 7 weeks ago (6 weeks ago is not rolled up to its end)
    assert scalar(engine, "SELECT count(*) FROM slot_events") == events - gone
    assert scalar(engine, "SELECT min(observed_at) FROM slot_events") >= bound - WEEK
    roll_up(conn, now, max_hours=10_000)
    later = drop_expired(conn, now, timedelta(days=30))
    assert all(week_start(now - n * WEEK) + WEEK > now - timedelta(days=30) for n in (0, 1, 2, 3))
    assert not set(later) & {partition_name(week_start(now - n * WEEK)) for n in range(4)}
    assert scalar(engine, "SELECT count(*) FROM slot_events_default") == 0


def test_the_operations_job_runs_the_history_tasks(engine: Engine, database_url: str) -> None:
    """Wired into ingest's operations job: weeks ahead made, hours rolled, both counted."""
    import_example_lot(engine, "harbour-surface")
    store(engine, "A02", "occupied", T0)
    now = T0 + 10 * WEEK
    registry = CollectorRegistry()
    before = set(partitions(engine))
    settings = IngestSettings(database_url=database_url, history_retention_days=8)
    job = OperationsJob(
        settings.libpq_url,
        default_tasks(settings, registry),
        lambda _messages: None,
        interval_s=60,
        registry=registry,
        clock=lambda: now,
    )
    try:
        assert job.run_once() is True
    finally:
        job.stop()
    made = set(partitions(engine)) - before
    wanted = {partition_name(week_start(now) + n * WEEK) for n in range(-1, 5)}
    assert made == wanted - before
    assert registry.get_sample_value("ingest_history_partitions_created_total") == len(made)
    assert (
        registry.get_sample_value(
            "ingest_operations_runs_total", {"task": "history_partitions", "outcome": "ok"}
        )
        == 1
    )
    rolled = registry.get_sample_value("ingest_occupancy_hours_rolled_total", {"pass": "new"})
    assert rolled == 7 * 24  # a week per run from the first event's hour


def test_dedupe_on_event_id_and_observed_at(engine: Engine, database_url: str) -> None:
    """Replays and re-delivered births are stored once; an id reused with another time is a
    second observation (the primary key of a time-partitioned table holds the time)."""
    lot = import_example_lot(engine, "harbour-surface")
    register_node(engine, "node-d", lot)
    database, now = Database(database_url.replace("+psycopg", "")), T0 + 10 * MIN

    def write(*items: Item) -> int:
        with database.transaction() as conn:
            return write_batch(conn, list(items), [], now, 4096).events_written

    first = event("node-d", lot, "A01", "occupied", T0, 1)
    assert write(Event(0, "node-d", first)) == 1
    assert write(Event(0, "node-d", first), Event(1, "node-d", first)) == 0  # replays
    birth = NodeBirth(
        state="online",
        bdseq=1,
        lot_id=lot,
        ts=T0 + 2 * MIN,
        seq=1,
        slots={"A02": DetectedStatus.FREE},
    )
    write(Birth(0, "node-d", birth))
    write(Birth(0, "node-d", birth))  # redelivered
    write(Birth(0, "node-d", birth.model_copy(update={"ts": T0 + 3 * MIN})))  # same bdseq
    forged = first.model_copy(update={"observed_at": T0 + MIN, "seq": 2})
    assert write(Event(0, "node-d", forged)) == 1
    stored = rows(engine, "SELECT origin, observed_at FROM slot_events ORDER BY observed_at")
    assert stored == [("event", T0), ("event", T0 + MIN), ("birth", T0 + 2 * MIN)]
    assert scalar(engine, "SELECT detected_at FROM slots WHERE code = 'A01'") == T0 + MIN
    database.close()


def test_an_event_id_reused_with_another_time_is_no_second_session_boundary(
    engine: Engine, database_url: str
) -> None:
    """A node reusing an id (another observed_at) is a second observation; the stays it would
    start or end again are skipped instead of failing the batch into a dead letter."""
    lot = import_example_lot(engine, "harbour-surface")
    register_node(engine, "node-r", lot)
    database, now = Database(database_url.replace("+psycopg", "")), T0 + 10 * MIN

    def write(*items: Item) -> int:
        with database.transaction() as conn:
            return write_batch(conn, list(items), [], now, 4096).events_written

    parked = event("node-r", lot, "A01", "occupied", T0, 1)
    left = event("node-r", lot, "A01", "free", T0 + MIN, 2)
    assert write(Event(0, "node-r", parked), Event(1, "node-r", left)) == 2
    again = parked.model_copy(update={"observed_at": T0 + 2 * MIN, "seq": 3})
    gone = left.model_copy(update={"observed_at": T0 + 3 * MIN, "seq": 4})
    assert write(Event(0, "node-r", again)) == 1
    assert write(Event(0, "node-r", gone)) == 1

    stays = "SELECT started_at, ended_at FROM parking_sessions ORDER BY started_at"
    assert rows(engine, stays) == [(T0, T0 + MIN)]
    assert scalar(engine, "SELECT detected_at FROM slots WHERE code = 'A01'") == T0 + 3 * MIN
    assert scalar(engine, "SELECT count(*) FROM dead_letters") == 0
    database.close()
