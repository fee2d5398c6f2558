"""Durable receipts, and what a node may not do: write slots it does not watch, send events
from outside the time window, or fill the dead letters."""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from ingest_service.settings import IngestSettings
from schemas.messages import Heartbeat, NodeReceipt, to_payload
from schemas.topics import NodeTopicKind, node_topic
from tests.integration.ingest_service.support import (
    T0,
    event,
    occupancy_message,
    publisher,
    register_node,
    rows,
    running_worker,
    scalar,
    wait_for,
)
from tests.support.mosquitto import MosquittoServer
from tests.support.mqtt import TestClient, connected_client

pytestmark = pytest.mark.integration


def receipts_until(watch: TestClient, seq: int) -> list[int]:
    """The receipt seqs that arrive until one reaches `seq` (bounded by the client's timeout)."""
    seen: list[int] = []
    while not seen or seen[-1] < seq:
        message = watch.next_message()
        seen.append(NodeReceipt.model_validate_json(message.payload).seq)
    return seen


def heartbeat(node: str, oldest_seq: int) -> tuple[str, bytes]:
    beat = Heartbeat(node_id=node, ts=datetime.now(UTC), uptime_s=1.0, fps=2.0, camera="ok",
                     buffered=1, seq=oldest_seq, oldest_seq=oldest_seq)  # fmt: skip
    return node_topic(node, NodeTopicKind.HEARTBEAT), to_payload(beat)


def test_the_receipt_covers_the_committed_run_and_only_that(
    engine: Engine,
    mosquitto: MosquittoServer,
    harbour: str,
    node_id: str,
    make_settings: Callable[..., IngestSettings],
) -> None:
    events = [event(node_id, harbour, f"A0{s}", "occupied", T0, s) for s in (1, 2, 3, 5, 6)]
    with (
        running_worker(make_settings()),
        connected_client(mosquitto) as watch,
        publisher(mosquitto) as pub,
    ):
        watch.subscribe(node_topic(node_id, NodeTopicKind.RECEIPT))
        pub.publish([occupancy_message(e) for e in events])
        wait_for(lambda: scalar(engine, "SELECT count(*) FROM slot_events") == 5, "events")
        # Seq 4 never came: the receipt stops before it, whatever came after.
        assert receipts_until(watch, 3)[-1] == 3
        assert scalar(engine, "SELECT seq FROM node_receipts WHERE node_id = :n", n=node_id) == 3
        # The node says it holds nothing below 5 any more (4 was dropped from a full outbox).
        pub.publish([heartbeat(node_id, oldest_seq=5)], qos=0)
        assert receipts_until(watch, 6)[-1] == 6
    # Retained: a node that reconnects learns it at once.
    with connected_client(mosquitto) as late:
        late.subscribe(node_topic(node_id, NodeTopicKind.RECEIPT))
        retained = late.next_message()
        assert retained.retain
        assert json.loads(retained.payload)["seq"] == 6


def test_refused_events_count_for_the_receipt_too(
    engine: Engine,
    mosquitto: MosquittoServer,
    harbour: str,
    node_id: str,
    make_settings: Callable[..., IngestSettings],
) -> None:
    """A dead-lettered event was handled: the node must not send it forever."""
    future = datetime.now(UTC) + timedelta(hours=2)
    sent = [
        event(node_id, harbour, "A01", "free", T0, 1),
        event(node_id, harbour, "Z99", "free", T0, 2),  # no such slot
        event(node_id, harbour, "A01", "free", future, 3),  # from the future
        event(node_id, harbour, "A02", "free", T0, 4),
    ]
    with (
        running_worker(make_settings()),
        connected_client(mosquitto) as watch,
        publisher(mosquitto) as pub,
    ):
        watch.subscribe(node_topic(node_id, NodeTopicKind.RECEIPT))
        pub.publish([occupancy_message(e) for e in sent])
        assert receipts_until(watch, 4)[-1] == 4
    assert scalar(engine, "SELECT count(*) FROM dead_letters") == 2
    assert scalar(engine, "SELECT count(*) FROM refused_seqs") == 0  # covered, so forgotten


def test_a_node_writes_only_the_slots_of_its_slot_map(
    engine: Engine,
    mosquitto: MosquittoServer,
    harbour: str,
    make_settings: Callable[..., IngestSettings],
) -> None:
    register_node(engine, "cam-a", harbour, slots=["A01", "A02"])
    register_node(engine, "cam-b", harbour, slots=["B05"])
    sent = [
        event("cam-a", harbour, "A01", "occupied", T0, 1),
        event("cam-a", harbour, "B05", "occupied", T0, 2),  # cam-b's slot
    ]
    with running_worker(make_settings()), publisher(mosquitto) as pub:
        pub.publish([occupancy_message(e) for e in sent])
        wait_for(lambda: scalar(engine, "SELECT count(*) FROM dead_letters") == 1, "dead letter")
        wait_for(lambda: scalar(engine, "SELECT count(*) FROM slot_events") == 1, "event")
    (reason, node, detail), *_ = rows(engine, "SELECT reason, node_id, detail FROM dead_letters")
    assert (reason, node) == ("slot_not_mapped", "cam-a")
    assert "B05" in detail
    statuses = dict(rows(engine, "SELECT code, detected_status FROM slots WHERE code IN "
                                 "('A01', 'B05')"))  # fmt: skip
    assert statuses == {"A01": "occupied", "B05": "unknown"}


def test_events_outside_the_time_window_are_stale(
    engine: Engine,
    mosquitto: MosquittoServer,
    harbour: str,
    node_id: str,
    make_settings: Callable[..., IngestSettings],
) -> None:
    now = datetime.now(UTC)
    register_node(engine, "fresh-cam", harbour)
    with engine.begin() as conn:
        conn.execute(text("UPDATE nodes SET created_at = :at WHERE id = 'fresh-cam'"),
                     {"at": now - timedelta(hours=1)})  # fmt: skip
    sent = [
        event(node_id, harbour, "A01", "occupied", now - timedelta(days=8), 1),  # past horizon
        event(node_id, harbour, "A02", "occupied", now - timedelta(days=6), 2),  # within
        event("fresh-cam", harbour, "A03", "occupied", now - timedelta(hours=2), 1),  # pre-birth
        event("fresh-cam", harbour, "A04", "occupied", now - timedelta(minutes=5), 2),
    ]
    settings = make_settings(max_event_age_s=7 * 86_400)
    with running_worker(settings), publisher(mosquitto) as pub:
        pub.publish([occupancy_message(e) for e in sent])
        wait_for(lambda: scalar(engine, "SELECT count(*) FROM dead_letters") == 2, "dead letters")
        wait_for(lambda: scalar(engine, "SELECT count(*) FROM slot_events") == 2, "events")
    letters = rows(engine, "SELECT reason, node_id FROM dead_letters ORDER BY node_id")
    assert letters == [("stale_timestamp", "fresh-cam"), ("stale_timestamp", node_id)]
    stored = rows(engine, "SELECT node_id, seq FROM slot_events ORDER BY node_id")
    assert stored == [("fresh-cam", 2), (node_id, 2)]


def test_dead_letters_per_node_are_bounded_per_minute(
    engine: Engine,
    mosquitto: MosquittoServer,
    harbour: str,
    node_id: str,
    make_settings: Callable[..., IngestSettings],
) -> None:
    flood = [event(node_id, harbour, f"X{i:03d}", "free", T0, i + 1) for i in range(40)]
    with (
        running_worker(make_settings(dead_letter_quota_per_min=10)) as worker,
        publisher(mosquitto) as pub,
    ):
        pub.publish([occupancy_message(e) for e in flood])

        def suppressed() -> float:
            return (
                worker.metrics.registry.get_sample_value(
                    "ingest_dead_letters_suppressed_total", {"reason": "unknown_slot"}
                )
                or 0.0
            )

        wait_for(lambda: suppressed() == 30, "suppressed dead letters counted")
    assert scalar(engine, "SELECT count(*) FROM dead_letters") == 10
    # Counted or not, every refused event was handled: the receipt covers all 40.
    wait_for(
        lambda: scalar(engine, "SELECT seq FROM node_receipts WHERE node_id = :n", n=node_id) == 40,
        "receipt over the flood",
    )
