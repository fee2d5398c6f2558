"""A bad message refused again and again is one dead letter that counts its arrivals."""

import secrets
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from ingest_service.settings import IngestSettings
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

pytestmark = pytest.mark.integration

LETTERS = "SELECT topic, reason, payload, occurrences FROM dead_letters ORDER BY id"


def arrivals(engine: Engine) -> int:
    return int(scalar(engine, "SELECT coalesce(sum(occurrences), 0) FROM dead_letters"))


def test_the_same_garbage_published_n_times_is_one_row_counting_n(
    engine: Engine,
    mosquitto: MosquittoServer,
    node_id: str,
    make_settings: Callable[..., IngestSettings],
) -> None:
    topic, n = node_topic(node_id, NodeTopicKind.OCCUPANCY), 40
    # Batches of 7: repeats meet both within a batch and in the table.
    with (
        running_worker(make_settings(batch_size=7)) as worker,
        publisher(mosquitto) as pub,
    ):
        pub.publish([(topic, b"{garbage")] * n, qos=1)
        wait_for(lambda: arrivals(engine) == n, f"{n} arrivals")
        counted = worker.metrics.registry.get_sample_value(
            "ingest_dead_letters_total", {"reason": "malformed_json"}
        )
    assert rows(engine, LETTERS) == [(topic, "malformed_json", b"{garbage", n)]
    assert counted == n  # the metric still counts messages
    first, last = rows(engine, "SELECT received_at, last_seen_at FROM dead_letters")[0]
    assert last >= first


def test_other_topics_payloads_and_reasons_stay_separate_rows(
    engine: Engine,
    mosquitto: MosquittoServer,
    harbour: str,
    node_id: str,
    make_settings: Callable[..., IngestSettings],
) -> None:
    other = node_topic(f"node-{uuid.uuid4().hex[:8]}", NodeTopicKind.OCCUPANCY)
    mine = node_topic(node_id, NodeTopicKind.OCCUPANCY)
    # 20 kB of incompressible topic, far over the ~2.7 kB of a B-tree entry: the key hashes it.
    long_topic = f"parking/v1/nodes/{secrets.token_hex(10_000)}/occupancy"
    # The same bytes from a node not registered yet (unknown_node), then registered for a
    # lot without that slot (unknown_slot): same topic and payload, another reason.
    ghost = f"node-{uuid.uuid4().hex[:8]}"
    stray = occupancy_message(event(ghost, harbour, "Z99", "free", T0, 1))
    batch = [(mine, b"{"), (other, b"{"), (mine, b"["), (long_topic, b"{}")] * 3 + [stray] * 2
    with running_worker(make_settings(batch_size=5)), publisher(mosquitto) as pub:
        pub.publish(batch, qos=1)
        wait_for(lambda: arrivals(engine) == len(batch), "first arrivals")
        register_node(engine, ghost, harbour)
        pub.publish([stray] * 4, qos=1)
        wait_for(lambda: arrivals(engine) == len(batch) + 4, "arrivals after registration")
    found = {(t, reason, bytes(p)): n for t, reason, p, n in rows(engine, LETTERS)}
    assert found == {
        (mine, "malformed_json", b"{"): 3,
        (other, "malformed_json", b"{"): 3,
        (mine, "malformed_json", b"["): 3,
        (long_topic, "bad_topic", b"{}"): 3,
        (stray[0], "unknown_node", stray[1]): 2,
        (stray[0], "unknown_slot", stray[1]): 4,
    }


def test_workers_sharing_the_stream_count_each_message_on_one_row(
    engine: Engine,
    mosquitto: MosquittoServer,
    node_id: str,
    make_settings: Callable[..., IngestSettings],
) -> None:
    topics = [node_topic(node_id, kind) for kind in (NodeTopicKind.OCCUPANCY, NodeTopicKind.STATUS)]
    # Both messages, interleaved, to two workers of one share group: they upsert the same
    # two rows concurrently, in batches that hold both.
    garbage = [(topic, b"\x00\xff") for topic in topics] * 150
    unbounded = {"batch_size": 9, "dead_letter_quota_per_min": 1000}  # all 300 are stored
    with (
        running_worker(make_settings("w1", **unbounded)) as w1,
        running_worker(make_settings("w2", **unbounded)) as w2,
        publisher(mosquitto) as pub,
    ):
        pub.publish(garbage, qos=1)
        wait_for(lambda: arrivals(engine) == len(garbage), "every arrival counted")
        shares = [
            w.metrics.registry.get_sample_value(
                "ingest_dead_letters_total", {"reason": "malformed_json"}
            )
            for w in (w1, w2)
        ]
    assert all(shares), shares  # both workers took part
    assert sorted(rows(engine, LETTERS)) == [
        (topic, "malformed_json", b"\x00\xff", 150) for topic in sorted(topics)
    ]
