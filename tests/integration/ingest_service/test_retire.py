"""Scaling down: `--retire` drains a removed worker's session, then the broker forgets it.

Mosquitto 2.0.11 keeps handing a stopped worker's persistent session its round-robin share of
a $share group; `--retire` unsubscribes it (the broker still delivers what it had queued),
writes the queue through the normal pipeline and disconnects with session expiry 0.
"""

import os
import queue
import re
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from psycopg import sql
from sqlalchemy import Engine, make_url, text

from ingest_service.db import Database
from ingest_service.settings import IngestSettings
from ingest_service.transport import PahoTransport
from ingest_service.worker import RetireError, Worker
from schemas.messages import OccupancyEvent
from tests.integration.ingest_service.support import (
    HORIZON_S,
    T0,
    event,
    occupancy_message,
    publisher,
    rows,
    running_worker,
    scalar,
    slot_codes,
    wait_for,
)
from tests.support.mosquitto import MosquittoServer
from tests.support.postgres import PostgresServer
from tests.support.processes import free_port

pytestmark = pytest.mark.integration

N = 60
M = 30
QUIET_S = "0.5"


@pytest.fixture
def pair(make_settings: Callable[..., IngestSettings]) -> tuple[IngestSettings, IngestSettings]:
    """Two workers of one share group, w1 and w2, whose sessions outlive a slow test run."""
    w1, w2 = (make_settings(w, session_expiry_s=600) for w in ("w1", "w2"))
    return w1, w2


@pytest.fixture
def events(
    engine: Engine, harbour: str, node_id: str
) -> Callable[[int, int], list[OccupancyEvent]]:
    """`events(first, n)`: n occupancy events of the node, seq first+1.., newer as seq grows."""
    slots = slot_codes(engine, harbour)

    def make(first: int, n: int) -> list[OccupancyEvent]:
        return [
            event(node_id, harbour, slots[i % len(slots)], ("free", "occupied")[i % 2],
                  T0 + timedelta(seconds=i), i + 1)
            for i in range(first, first + n)
        ]  # fmt: skip

    return make


def publish(broker: MosquittoServer, events: list[OccupancyEvent]) -> None:
    with publisher(broker) as pub:
        pub.publish([occupancy_message(e) for e in events])


def stored_ids(engine: Engine) -> list[uuid.UUID]:
    return [r[0] for r in rows(engine, "SELECT event_id FROM slot_events")]


def leave_sessions(*settings: IngestSettings) -> None:
    """Start and stop each worker: the broker keeps its session and its share of the group."""
    for s in settings:
        with running_worker(s):
            pass


def retire(settings: IngestSettings, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m ingest_service --client-id ID --retire`, as an operator runs it."""
    environ = {
        **os.environ,
        "DATABASE_URL": settings.database_url.get_secret_value(),
        "MQTT_URL": settings.mqtt_url.get_secret_value(),
        "INGEST_SHARE_GROUP": settings.share_group,
        "INGEST_RETIRE_QUIET_S": QUIET_S,
        "INGEST_MAX_EVENT_AGE_S": str(HORIZON_S),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "ingest_service", "--client-id", settings.client_id, "--retire"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def drained(done: subprocess.CompletedProcess[str]) -> int:
    """The count a successful retire printed."""
    assert done.returncode == 0, done.stderr
    found = re.search(r"drained (\d+) messages", done.stdout)
    assert found is not None, done.stdout
    return int(found[1])


def session_present(broker: MosquittoServer, client_id: str) -> bool:
    """Whether the broker still holds a session for `client_id` (CONNACK's flag).

    The probe connects with session expiry 0, so it leaves no session behind either way.
    """
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    flags: queue.Queue[bool] = queue.Queue()
    client.on_connect = lambda _c, _u, f, _rc, _p: flags.put(f.session_present)
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    properties.SessionExpiryInterval = 0
    client.connect(broker.host, broker.port, clean_start=False, properties=properties)
    client.loop_start()
    try:
        return flags.get(timeout=10)
    finally:
        client.disconnect()
        client.loop_stop()


@contextmanager
def refusing_connections(
    postgres: PostgresServer, database_url: str, application: str
) -> Iterator[None]:
    """The test's database refuses new connections and drops those of `application`."""
    name = sql.Identifier(str(make_url(database_url).database))
    allow = sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS {}")
    with postgres.admin() as admin:
        admin.execute(allow.format(name, sql.SQL("false")))
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (application,),
        )
    try:
        yield
    finally:
        with postgres.admin() as admin:
            admin.execute(allow.format(name, sql.SQL("true")))


def test_retire_drains_the_share_queued_for_a_removed_worker_and_frees_the_group(
    engine: Engine,
    mosquitto: MosquittoServer,
    pair: tuple[IngestSettings, IngestSettings],
    events: Callable[[int, int], list[OccupancyEvent]],
) -> None:
    w1, w2 = pair
    first, later = events(0, N), events(N, M)
    leave_sessions(w2)
    with running_worker(w1):
        publish(mosquitto, first)  # w2 is away: its share waits in its session
        done = retire(w2)
        count = drained(done)
        assert 0 < count < N  # a share was queued for w2, and only a share
        wait_for(lambda: len(stored_ids(engine)) == N, "w1's share and the drained one")
    assert sorted(stored_ids(engine)) == sorted(e.event_id for e in first)  # each exactly once
    assert not session_present(mosquitto, w2.client_id)

    # With both away, a group that still held w2 would queue half of these for it.
    publish(mosquitto, later)
    with running_worker(w1):
        wait_for(lambda: len(stored_ids(engine)) == N + M, "every later event, all through w1")
    assert sorted(stored_ids(engine)) == sorted(e.event_id for e in first + later)


def test_retire_refuses_to_start_without_the_broker_or_the_database_and_loses_nothing(
    engine: Engine,
    mosquitto: MosquittoServer,
    pair: tuple[IngestSettings, IngestSettings],
    events: Callable[[int, int], list[OccupancyEvent]],
) -> None:
    w1, w2 = pair
    first = events(0, N)
    leave_sessions(w1, w2)
    publish(mosquitto, first)  # both away: each session holds a share

    no_database = retire(
        w2, DATABASE_URL=f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/parking"
    )
    assert no_database.returncode == 1
    assert "PostgreSQL is unreachable" in no_database.stderr
    port = free_port()
    no_broker = retire(w2, MQTT_URL=f"mqtt://127.0.0.1:{port}", INGEST_RETIRE_MAX_S="2")
    assert no_broker.returncode == 1
    assert f"the broker at 127.0.0.1:{port} is unreachable" in no_broker.stderr
    assert stored_ids(engine) == []

    count = drained(retire(w2))
    assert 0 < count < N
    assert len(stored_ids(engine)) == count
    with running_worker(w1):
        wait_for(lambda: len(stored_ids(engine)) == N, "w1's own share")
    assert sorted(stored_ids(engine)) == sorted(e.event_id for e in first)


def test_a_database_outage_mid_drain_fails_the_retire_and_keeps_the_unwritten_queue(
    engine: Engine,
    postgres: PostgresServer,
    database_url: str,
    mosquitto: MosquittoServer,
    pair: tuple[IngestSettings, IngestSettings],
    events: Callable[[int, int], list[OccupancyEvent]],
) -> None:
    w1, w2 = pair
    first = events(0, N)
    leave_sessions(w1, w2)
    publish(mosquitto, first)
    retiring = w2.model_copy(update={"retire_max_s": 5, "retire_quiet_s": 0.5})
    source = PahoTransport(retiring, retiring=True)
    worker = Worker(retiring, source, Database(retiring.libpq_url, application_name="retiring"))
    failures: list[str] = []  # not the exceptions: their frames would keep the worker

    def attempt() -> None:
        try:
            worker.retire()
        except RetireError as exc:
            failures.append(str(exc))

    thread = threading.Thread(target=attempt)
    with engine.connect() as blocker:
        # The drain's first batch waits on this lock, so the outage strikes mid-drain.
        blocker.execute(text("LOCK TABLE slot_events IN ACCESS EXCLUSIVE MODE"))
        thread.start()
        wait_for(
            lambda: scalar(
                engine,
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE application_name = 'retiring' AND wait_event_type = 'Lock'",
            ),
            "the first batch waiting for slot_events",
        )
        with refusing_connections(postgres, database_url, "retiring"):
            blocker.rollback()
            thread.join(timeout=60)
    assert not thread.is_alive()
    assert failures == ["stopped after 0 messages: PostgreSQL is unreachable"]
    assert stored_ids(engine) == []

    count = drained(retire(w2))  # nothing was acknowledged: the whole share is still there
    assert 0 < count < N
    with running_worker(w1):
        wait_for(lambda: len(stored_ids(engine)) == N, "w1's own share")
    assert sorted(stored_ids(engine)) == sorted(e.event_id for e in first)
