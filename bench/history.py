"""History benchmark: a month of a city's slot events, occupancy stats from hourly rollups
against the same stats computed from the raw events (the baseline), in one run.

    python -m bench.history [--slots 20000] [--days 30] [--lot-slots 500] [--runs 7]
                            [--database-url URL]

Starts a throwaway PostgreSQL (unless --database-url), migrates it, imports lots of
`--lot-slots` slots up to `--slots`, creates the weekly partitions and COPYs `--days` days
of detections (~10 changes per slot per day, at random) into `slot_events`. Then prints:
the load time; the rollup build time for the whole period and for one more hour (the
operations job's steady state); `GET /admin/stats/occupancy`'s service call for one lot
over the whole period (1 h and 1 d buckets), p50/p99 over `--runs` runs, from the rollups
and from the raw events; and the sizes of the slot_events partitions, their indexes and
occupancy_hourly.
"""

import argparse
import json
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median, quantiles

import psycopg
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from api_service.services import admin_stats
from ingest_service.history import ROLLUP_GRACE, ensure_partitions, hour_start, roll_up
from schemas.db import Operator
from schemas.db.layout_import import import_layout
from schemas.db.migrate import upgrade
from schemas.layout import parse_layout
from tests.support.postgres import running_postgres

CHANGES_PER_DAY = 10
KINDS = ("standard",) * 8 + ("ev", "accessible")
_COPY = (
    "COPY slot_events (event_id, slot_id, lot_id, node_id, status, observed_at, seq, origin)"
    " FROM STDIN (FORMAT BINARY)"
)
_TYPES = ("uuid", "int8", "int8", "text", "text", "timestamptz", "int8", "text")
_SIZES = """
    SELECT count(*), sum(pg_table_size(c.oid)), sum(pg_indexes_size(c.oid)),
        sum(pg_total_relation_size(c.oid))
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'slot_events'::regclass
"""


def say(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def layout(code: str, slots: int) -> str:
    per_row = 50
    rows = [
        {"name": f"R{r}", "slots": [
            {"code": f"R{r}-{s:03d}", "kind": KINDS[(r * per_row + s) % len(KINDS)]}
            for s in range(min(per_row, slots - r * per_row))]}
        for r in range((slots + per_row - 1) // per_row)
    ]  # fmt: skip
    return json.dumps(
        {
            "code": code, "name": code, "operator": "bench", "address": "1 Bench St",
            "location": {"lat": 52.37, "lon": 4.89}, "timezone": "Europe/Amsterdam",
            "floors": [{"level": 0, "name": "G", "rows": rows}],
        }
    )  # fmt: skip


def seed_lots(database_url: str, slots: int, lot_slots: int) -> list[int]:
    engine = create_engine(database_url)
    with Session(engine) as session:
        session.add(Operator(code="bench", name="Bench"))
        session.flush()
        n = 0
        while n * lot_slots < slots:
            size = min(lot_slots, slots - n * lot_slots)
            import_layout(session, parse_layout(layout(f"lot-{n:03d}", size)), actor="bench")
            n += 1
        session.commit()
    engine.dispose()
    with psycopg.connect(database_url.replace("+psycopg", "")) as conn:
        return [int(lot) for (lot,) in conn.execute("SELECT id FROM parking_lots ORDER BY id")]


def load_events(conn: psycopg.Connection, start: datetime, end: datetime) -> int:
    """~CHANGES_PER_DAY detections per slot per day at random instants, COPYed in."""
    rng = random.Random(7)  # noqa: S311 - reproducible data, not secrets
    mean_gap = 86_400 / CHANGES_PER_DAY
    total = (end - start).total_seconds()
    slots = conn.execute("SELECT id, lot_id FROM slots ORDER BY id").fetchall()
    count = 0
    with conn.cursor() as cur, cur.copy(_COPY) as copy:
        copy.set_types(_TYPES)
        for slot_id, lot_id in slots:
            at, seq, occupied = rng.uniform(0, mean_gap), 0, rng.random() < 0.5
            node = f"bench-node-{lot_id}"
            while at < total:
                status = "unknown" if rng.random() < 0.02 else ("free", "occupied")[occupied]
                occupied = not occupied
                copy.write_row((
                    uuid.uuid4(), slot_id, lot_id, node, status,
                    start + timedelta(seconds=at), seq, "event",
                ))  # fmt: skip
                at, seq, count = at + rng.expovariate(1 / mean_gap), seq + 1, count + 1
    conn.commit()
    return count


def timed(runs: int, call: Callable[[], object]) -> list[float]:
    out = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        out.append(time.perf_counter() - began)
    return out


def figures(seconds: list[float]) -> str:
    p99 = quantiles(seconds, n=100)[98] if len(seconds) > 1 else seconds[0]
    return f"p50 {median(seconds) * 1000:9.1f} ms   p99 {p99 * 1000:9.1f} ms"


def mib(n: int | None) -> str:
    return f"{(n or 0) / 2**20:8.1f} MiB"


def run(database_url: str, slots: int, days: int, lot_slots: int, runs: int) -> None:
    upgrade(database_url)
    began = time.perf_counter()
    lots = seed_lots(database_url, slots, lot_slots)
    seeded = time.perf_counter() - began
    say(f"{slots} slots in {len(lots)} lots of up to {lot_slots}: {seeded:.1f} s")
    end = hour_start(datetime.now(UTC))
    start = end - timedelta(days=days)
    with psycopg.connect(database_url.replace("+psycopg", ""), autocommit=True) as conn:
        ensure_partitions(conn, end, end - start + timedelta(days=7))
        conn.autocommit = False
        began = time.perf_counter()
        count = load_events(conn, start, end)
        loaded = time.perf_counter() - began
        conn.autocommit = True
        conn.execute("ANALYZE slot_events")
        say(f"{count} events over {days} days COPYed in {loaded:.1f} s ({count / loaded:,.0f}/s)")
        began = time.perf_counter()
        roll_up(conn, end - timedelta(hours=1) + ROLLUP_GRACE, max_hours=days * 24 + 24)
        built = time.perf_counter() - began
        say(f"rollup build, {days * 24 - 1} hours x {slots} slots: {built:.1f} s")
        began = time.perf_counter()
        roll_up(conn, end + ROLLUP_GRACE)
        say(
            f"rollup of one more hour (steady state): {(time.perf_counter() - began) * 1000:.0f} ms"
        )
        conn.execute("ANALYZE occupancy_hourly")
        count_p, table, indexes, total = conn.execute(_SIZES).fetchone() or (0, 0, 0, 0)
        hourly = conn.execute(
            "SELECT count(*), pg_total_relation_size('occupancy_hourly') FROM occupancy_hourly"
        ).fetchone() or (0, 0)
    engine = create_engine(database_url)
    lot = lots[len(lots) // 2]
    with Session(engine) as session:
        for bucket in (timedelta(hours=1), timedelta(days=1)):
            for rollups in (True, False):

                def stats(rollups: bool = rollups, bucket: timedelta = bucket) -> object:
                    session.rollback()  # a fresh snapshot, as a request has
                    return admin_stats.occupancy(
                        session, lot, (start, end), bucket, by_floor=False, now=end,
                        rollups=rollups,
                    )  # fmt: skip

                stats()  # warm
                source = "rollups   " if rollups else "raw events"
                hours = bucket.total_seconds() / 3600
                say(
                    f"stats of one lot ({lot_slots} slots), {days} days, {hours:g} h buckets,"
                    f" from {source}: {figures(timed(runs, stats))}"
                )
    engine.dispose()
    say(f"slot_events: {count_p} partitions, table {mib(table)}, indexes {mib(indexes)}, "
        f"total {mib(total)}")  # fmt: skip
    say(f"occupancy_hourly: {hourly[0]} rows, {mib(hourly[1])}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--slots", type=int, default=20_000, help="slots in the city")
    parser.add_argument("--days", type=int, default=30, help="days of history")
    parser.add_argument("--lot-slots", type=int, default=500, help="slots per lot")
    parser.add_argument("--runs", type=int, default=7, help="runs of each stats query")
    parser.add_argument("--database-url", help="an empty database to use (default: throwaway)")
    args = parser.parse_args(argv)
    options = (args.slots, args.days, args.lot_slots, args.runs)
    if args.database_url:
        run(args.database_url, *options)
        return 0
    with (
        tempfile.TemporaryDirectory(prefix="bench-pg-") as workdir,
        running_postgres(Path(workdir)) as pg,
    ):
        with pg.admin() as admin:
            admin.execute("CREATE DATABASE bench")
        run(pg.url("bench"), *options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
