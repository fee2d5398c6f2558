"""Readiness follows the SUBACK: a refused subscription is an error; a restart resubscribes."""

import logging
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from ingest_service.db import Database
from ingest_service.http import HealthServer, health_app
from ingest_service.settings import IngestSettings
from ingest_service.transport import PahoTransport
from ingest_service.worker import Worker
from schemas.messages import Heartbeat, to_payload
from schemas.topics import NodeTopicKind, node_topic, shared_subscription
from tests.integration.ingest_service.brokers import acl_mosquitto, dynsec_plugin
from tests.integration.ingest_service.support import (
    T0,
    event,
    occupancy_message,
    publisher,
    running_worker,
    scalar,
    settings_for,
    wait_for,
)
from tests.support.mosquitto import MosquittoServer, running_mosquitto
from tests.support.processes import free_port

pytestmark = pytest.mark.integration

GROUP = "gsub"


@pytest.fixture
def server_dir() -> Iterator[Path]:
    """Not tmp_path: its folders are private to our user, and the broker may run as another."""
    with tempfile.TemporaryDirectory(prefix="parking-subs-") as workdir:
        Path(workdir).chmod(0o755)
        yield Path(workdir)


@pytest.fixture
def plugin() -> str:
    """Mosquitto's dynamic-security plugin: acl_file (2.0) grants every SUBSCRIBE."""
    path = dynsec_plugin()
    if path is None:
        pytest.skip("needs Mosquitto's dynamic-security plugin to refuse a subscription")
    return path


@contextmanager
def started(settings: IngestSettings) -> Iterator[tuple[Worker, PahoTransport]]:
    """A worker in a thread, not waiting for it to be ready."""
    transport = PahoTransport(settings)
    worker = Worker(settings, transport, Database(settings.libpq_url))
    thread = threading.Thread(target=worker.run, name=f"worker-{settings.client_id}")
    thread.start()
    try:
        yield worker, transport
    finally:
        worker.stop()
        thread.join(timeout=60)
        assert not thread.is_alive(), "worker did not stop"


def readyz(worker: Worker) -> int:
    """The HTTP status of /readyz, served as the entry point serves it."""
    app = health_app(worker.metrics.registry, worker.alive, worker.ready)
    server = HealthServer("127.0.0.1", 0, app)
    server.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/readyz", timeout=5) as r:
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    finally:
        server.stop()


def test_a_refused_shared_subscription_keeps_the_worker_unready_until_granted(
    engine: Engine,
    database_url: str,
    plugin: str,
    server_dir: Path,
    node_id: str,
    harbour: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    occupancy = shared_subscription(NodeTopicKind.OCCUPANCY, GROUP)
    others = [
        shared_subscription(k, GROUP) for k in (NodeTopicKind.STATUS, NodeTopicKind.HEARTBEAT)
    ]
    broker = MosquittoServer("127.0.0.1", free_port())
    settings = settings_for(database_url, broker, GROUP, "acl-w1", resubscribe_s=0.3)
    beat = Heartbeat(
        node_id=node_id, ts=datetime.now(UTC), uptime_s=1, fps=2, camera="ok", buffered=0
    )
    partial_acl = ExitStack()
    partial_acl.enter_context(acl_mosquitto(server_dir / "b1", plugin, others, broker.port))
    with (
        caplog.at_level(logging.ERROR, logger="ingest_service"),
        partial_acl,
        started(settings) as (worker, transport),
    ):
        pub = partial_acl.enter_context(publisher(broker))
        wait_for(lambda: transport.subscription_errors, "the broker's SUBACK")
        assert transport.subscription_errors == [(occupancy, "Not authorized")]
        # The granted subscriptions work, so broker and database are up: only the refusal
        # keeps the worker out of service.
        pub.publish([(node_topic(node_id, NodeTopicKind.HEARTBEAT), to_payload(beat))], qos=0)
        wait_for(
            lambda: scalar(engine, "SELECT camera_ok FROM nodes WHERE id = :n", n=node_id),
            "the heartbeat written",
        )
        assert not worker.ready()
        assert readyz(worker) == 503
        assert any(
            occupancy in r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR
        )

        # The operator grants the subscription and restarts the broker.
        partial_acl.close()
        with acl_mosquitto(server_dir / "b2", plugin, [*others, occupancy], broker.port):
            wait_for(worker.ready, "ready once the ACL grants the subscription", timeout=30)
            assert transport.subscription_errors == []
            e = event(node_id, harbour, "A04", "occupied", T0, 1)
            with publisher(broker) as pub:
                pub.publish([occupancy_message(e)])
            wait_for(
                lambda: scalar(
                    engine, "SELECT count(*) FROM slot_events WHERE event_id = :e", e=e.event_id
                ),
                "the occupancy event written",
            )
    assert readyz(worker) == 503  # stopped


def test_after_a_broker_restart_the_worker_resubscribes_and_is_ready_again(
    engine: Engine, database_url: str, node_id: str, harbour: str, server_dir: Path
) -> None:
    port = free_port()
    workdir = server_dir / "broker"
    broker = MosquittoServer("127.0.0.1", port)
    events = [event(node_id, harbour, "A05", s, T0.replace(second=i), i + 1)
              for i, s in enumerate(("occupied", "free"))]  # fmt: skip
    with ExitStack() as first_broker:
        first_broker.enter_context(running_mosquitto(workdir, port=port, persistence=True))
        with running_worker(settings_for(database_url, broker, GROUP, "restart-w1")) as worker:
            with publisher(broker) as pub:
                pub.publish([occupancy_message(events[0])])
            wait_for(lambda: scalar(engine, "SELECT count(*) FROM slot_events") == 1, "first")
            first_broker.close()  # the broker stops, saving the worker's session
            wait_for(lambda: not worker.ready(), "the worker notices the broker is gone")
            # Mosquitto 2.0.11 restores the session but not its $share subscriptions: a
            # message published after the restart reaches the worker only if it subscribed
            # again.
            with running_mosquitto(workdir, port=port, persistence=True):
                wait_for(worker.ready, "subscriptions granted again", timeout=30)
                with publisher(broker) as pub:
                    pub.publish([occupancy_message(events[1])])
                wait_for(lambda: scalar(engine, "SELECT count(*) FROM slot_events") == 2, "2nd")
    assert scalar(engine, "SELECT detected_status FROM slots WHERE code = 'A05'") == "free"
