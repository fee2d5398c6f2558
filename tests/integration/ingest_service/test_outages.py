"""Back-pressure and outages: broker and PostgreSQL restarts mid-stream lose and double nothing."""

import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

import pytest
from psycopg import sql
from sqlalchemy import Engine, create_engine

from schemas.db.migrate import upgrade
from schemas.messages import OccupancyEvent
from tests.integration.ingest_service.support import (
    T0,
    event,
    import_example_lot,
    occupancy_message,
    publisher,
    register_node,
    rows,
    running_worker,
    scalar,
    settings_for,
    slot_codes,
    wait_for,
)
from tests.support.mosquitto import MosquittoServer, running_mosquitto
from tests.support.postgres import PostgresCluster
from tests.support.processes import free_port

pytestmark = pytest.mark.integration

N = 6000


def make_events(engine: Engine, node: str) -> list[OccupancyEvent]:
    lot = import_example_lot(engine, "downtown-garage")
    register_node(engine, node, lot)
    slots = slot_codes(engine, lot)
    return [
        event(node, lot, slots[i % len(slots)], ("free", "occupied")[i % 3 == 0],
              T0 + timedelta(milliseconds=i), i + 1)
        for i in range(N)
    ]  # fmt: skip


def stored_ids(engine: Engine) -> set[object]:
    return {r[0] for r in rows(engine, "SELECT event_id FROM slot_events")}


@pytest.fixture
def server_dir() -> Iterator[Path]:
    """Not tmp_path: its folders are private to our user, and servers may run as another."""
    with tempfile.TemporaryDirectory(prefix="parking-ingest-") as workdir:
        Path(workdir).chmod(0o755)  # servers hand their own subfolder over to their user
        yield Path(workdir)


def test_broker_restart_with_persistence_mid_stream(
    engine: Engine, database_url: str, server_dir: Path
) -> None:
    events = make_events(engine, "restart-node")
    port = free_port()
    workdir = server_dir / "broker"
    broker = MosquittoServer("127.0.0.1", port)
    # A long flush delay keeps part of each worker's share received but unacknowledged when
    # the broker goes down: those must come back from the broker's persistence.
    settings = [
        settings_for(
            database_url, broker, "grestart", f"restart-w{i}",
            batch_size=1000, receive_maximum=1000, batch_delay_ms=1500,
        )
        for i in range(2)
    ]  # fmt: skip
    half = N // 2
    with ExitStack() as workers:
        with running_mosquitto(workdir, port=port, persistence=True):
            running = [workers.enter_context(running_worker(s)) for s in settings]
            with publisher(broker) as pub:
                pub.publish([occupancy_message(e) for e in events[:half]])
            before = scalar(engine, "SELECT count(*) FROM slot_events")
        # Down: queued and unacknowledged messages wait in the broker's persistence file.
        with running_mosquitto(workdir, port=port, persistence=True):
            # Mosquitto 2.0.11 does not restore $share subscriptions from persistence: until
            # the workers have resubscribed, new node messages would find no subscriber (the
            # nodes' seq-gap resync is the safety net for that window; see broker/).
            wait_for(lambda: all(w.ready() for w in running), "workers back", timeout=30)
            with publisher(broker) as pub:
                pub.publish([occupancy_message(e) for e in events[half:]])
            wait_for(lambda: len(stored_ids(engine)) == N, "every event", timeout=120)
    assert before < half
    assert stored_ids(engine) == {e.event_id for e in events}


@pytest.fixture
def own_postgres(server_dir: Path) -> Iterator[PostgresCluster]:
    cluster = PostgresCluster(server_dir / "pg", settings=("fsync=off",))
    cluster.start()
    yield cluster
    cluster.stop()


def test_postgres_restart_mid_stream(
    own_postgres: PostgresCluster, mosquitto: MosquittoServer
) -> None:
    with own_postgres.server.admin() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier("outage")))
    url = own_postgres.server.url("outage")
    upgrade(url)
    engine = create_engine(url, pool_pre_ping=True)
    events = make_events(engine, "pg-node")
    workers_settings = [
        settings_for(url, mosquitto, "gpgdown", f"pg-w{i}", db_retry_max_s=0.5) for i in range(2)
    ]
    with ExitStack() as stack:
        workers = [stack.enter_context(running_worker(s)) for s in workers_settings]
        pub = stack.enter_context(publisher(mosquitto))
        sender = threading.Thread(
            target=pub.publish, args=([occupancy_message(e) for e in events],)
        )
        sender.start()
        wait_for(lambda: scalar(engine, "SELECT count(*) FROM slot_events") >= N // 4, "a quarter")
        engine.dispose()
        own_postgres.stop()
        # Nothing can commit, so nothing is acknowledged; the workers say so on /readyz.
        wait_for(lambda: not any(w.ready() for w in workers), "workers notice the outage")
        sender.join(timeout=120)
        own_postgres.start()
        wait_for(lambda: all(w.ready() for w in workers), "workers recover", timeout=60)
        wait_for(lambda: len(stored_ids(engine)) == N, "every event", timeout=120)
    assert stored_ids(engine) == {e.event_id for e in events}
    assert scalar(engine, "SELECT count(*) FROM slot_events") == N
    engine.dispose()
