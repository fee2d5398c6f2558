"""Events travel from a node topic into slot_events and the slot's detected/effective state."""

import contextlib
import itertools
import json
import queue
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from ingest_service.http import HealthServer, health_app
from ingest_service.settings import IngestSettings
from schemas.enums import SlotStatus
from schemas.messages import SlotState
from schemas.topics import availability_topic, lot_wildcard, slot_state_topic
from tests.integration.ingest_service.support import (
    T0,
    event,
    http_get,
    occupancy_message,
    publisher,
    rows,
    running_worker,
    scalar,
    wait_for,
)
from tests.support.mosquitto import MosquittoServer
from tests.support.mqtt import connected_client

pytestmark = pytest.mark.integration


def test_events_land_once_and_newest_wins(
    engine: Engine,
    mosquitto: MosquittoServer,
    harbour: str,
    node_id: str,
    make_settings: Callable[..., IngestSettings],
) -> None:
    newest = event(node_id, harbour, "A01", "occupied", T0 + timedelta(seconds=2), 3)
    older = event(node_id, harbour, "A01", "free", T0 + timedelta(seconds=1), 2)
    other = event(node_id, harbour, "A02", "free", T0, 1)
    messages = [occupancy_message(e) for e in (newest, older, other, newest)]
    with running_worker(make_settings()), publisher(mosquitto) as pub:
        pub.publish(messages)
        wait_for(lambda: scalar(engine, "SELECT count(*) FROM slot_events") == 3, "3 events")
    assert rows(
        engine,
        "SELECT code, detected_status, detected_seq, status FROM slots "
        "WHERE code IN ('A01', 'A02') ORDER BY code",
    ) == [("A01", "occupied", 3, "occupied"), ("A02", "free", 1, "free")]


def test_read_side_topics_follow_the_database_and_never_repeat_a_state(
    engine: Engine,
    mosquitto: MosquittoServer,
    harbour: str,
    node_id: str,
    make_settings: Callable[..., IngestSettings],
) -> None:
    a01 = slot_state_topic(harbour, "A01")
    timeline = [
        event(node_id, harbour, "A01", "occupied", T0, 1),
        event(node_id, harbour, "A01", "occupied", T0 + timedelta(seconds=5), 2),  # no change
        event(node_id, harbour, "A02", "free", T0 + timedelta(seconds=6), 3),
    ]
    with (
        connected_client(mosquitto) as watcher,
        running_worker(make_settings()),
        publisher(mosquitto) as pub,
    ):
        watcher.subscribe(lot_wildcard(harbour))
        for e in timeline:
            pub.publish([occupancy_message(e)])
        seen: list[tuple[str, bytes]] = []

        def final_availability() -> bool:
            with contextlib.suppress(queue.Empty):
                while True:
                    message = watcher.next_message(timeout=0.05)
                    # What the broker held when we subscribed (the previous test's worker
                    # published this lot too) is not what this worker sent.
                    if not message.retain:
                        seen.append((message.topic, message.payload))
            return any(json.loads(p).get("occupied") == 1 and json.loads(p).get("free") == 1
                       for t, p in seen if t == availability_topic(harbour))  # fmt: skip

        wait_for(final_availability, "availability with one occupied and one free slot")
    states = [SlotState.model_validate_json(p) for t, p in seen if t == a01]
    assert [s.status for s in states][-1] == SlotStatus.OCCUPIED
    for topic in {t for t, _ in seen}:
        payloads = [p for t, p in seen if t == topic]
        assert all(a != b for a, b in itertools.pairwise(payloads)), f"{topic} repeated a state"
    assert sum(1 for t, _ in seen if t == a01) <= 2  # unknown at start, then occupied once
    with connected_client(mosquitto) as late:
        late.subscribe(a01)
        retained = late.next_message()
    assert SlotState.model_validate_json(retained.payload).status == SlotStatus.OCCUPIED
    assert retained.retain


def test_metrics_and_probes(
    engine: Engine,
    mosquitto: MosquittoServer,
    harbour: str,
    node_id: str,
    make_settings: Callable[..., IngestSettings],
) -> None:
    e = event(node_id, harbour, "A03", "free", T0, 1)
    with running_worker(make_settings()) as worker, publisher(mosquitto) as pub:
        server = HealthServer(
            "127.0.0.1", 0, health_app(worker.metrics.registry, worker.alive, worker.ready)
        )
        server.start()
        try:
            pub.publish(
                [occupancy_message(e), occupancy_message(e), ("parking/v1/nodes/x/occupancy", b"?")]
            )
            wait_for(
                lambda: scalar(engine, "SELECT count(*) FROM dead_letters") == 1, "dead letter"
            )
            # Counters move just after the commit that the dead letter's row shows.
            wait_for(
                lambda: (
                    'ingest_dead_letters_total{reason="malformed_json"} 1.0'
                    in http_get(server.port, "/metrics")[1]
                ),
                "counters",
            )
            _, metrics = http_get(server.port, "/metrics")
            probes = (http_get(server.port, "/readyz")[0], http_get(server.port, "/healthz")[0])
        finally:
            server.stop()
    assert probes == (200, 200)
    assert "ingest_events_written_total 1.0" in metrics
    assert "ingest_duplicates_total 1.0" in metrics
    assert 'ingest_dead_letters_total{reason="malformed_json"} 1.0' in metrics
    assert "ingest_batch_seconds_bucket" in metrics
    assert "ingest_lag_seconds_count 1.0" in metrics
