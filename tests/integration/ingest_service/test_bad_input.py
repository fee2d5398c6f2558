"""Bad input never stops the stream: each bad message is a dead letter, valid ones all land."""

import hashlib
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from ingest_service.settings import IngestSettings
from schemas.topics import NodeTopicKind, node_topic
from tests.integration.ingest_service.support import (
    T0,
    event,
    occupancy_message,
    publisher,
    rows,
    running_worker,
    scalar,
    wait_for,
)
from tests.support.mosquitto import MosquittoServer

pytestmark = pytest.mark.integration


def corpus(node: str, lot: str) -> list[tuple[str, str, bytes]]:
    """(expected reason, topic, payload) for every kind of bad input the issue lists."""
    topic = node_topic(node, NodeTopicKind.OCCUPANCY)
    good = json.loads(occupancy_message(event(node, lot, "A01", "free", T0, 1))[1])

    def variant(**changes: object) -> bytes:
        return json.dumps({**good, "event_id": str(uuid.uuid4()), **changes}).encode()

    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    return [
        ("malformed_json", topic, b"{not json"),
        ("malformed_json", topic, b'{"event_id": "\xff\xfe"}'),
        ("schema_violation", topic, variant(seq="12")),
        ("schema_violation", topic, variant(status="closed")),
        ("unknown_slot", topic, variant(slot_id="Z99")),
        ("unknown_lot", topic, variant(lot_id="nowhere")),
        ("node_mismatch", topic, variant(node_id="someone-else")),
        ("future_timestamp", topic, variant(observed_at=future)),
        ("oversize", topic, b"{" + b" " * (64 * 1024) + b"}"),  # within the broker's limit
        ("bad_topic", "parking/v1/nodes/bad@node/occupancy", variant()),
        ("unknown_node", node_topic("ghost", NodeTopicKind.OCCUPANCY), variant(node_id="ghost")),
        ("schema_violation", node_topic(node, NodeTopicKind.STATUS), b'{"state": "asleep"}'),
    ]


def test_every_bad_message_is_dead_lettered_and_valid_ones_all_land(
    engine: Engine,
    mosquitto: MosquittoServer,
    harbour: str,
    node_id: str,
    make_settings: Callable[..., IngestSettings],
) -> None:
    bad = corpus(node_id, harbour)
    valid = [
        event(node_id, harbour, f"A{i:02d}", "occupied", T0 + timedelta(seconds=i), i + 1)
        for i in range(1, 13)
    ]
    interleaved: list[tuple[str, bytes]] = []
    for (_reason, topic, payload), good in zip(bad, valid, strict=True):
        interleaved += [(topic, payload), occupancy_message(good)]
    with (
        running_worker(make_settings(batch_size=5, receive_maximum=50)),
        publisher(mosquitto) as pub,
    ):
        pub.publish(interleaved)
        wait_for(
            lambda: scalar(engine, "SELECT count(*) FROM dead_letters") == len(bad), "dead letters"
        )
        wait_for(lambda: scalar(engine, "SELECT count(*) FROM slot_events") == 12, "events")
    letters = rows(
        engine,
        "SELECT reason, topic, payload, detail, received_bytes, received_sha256 FROM dead_letters"
        " ORDER BY id",
    )
    assert sorted(r[0] for r in letters) == sorted(reason for reason, _t, _p in bad)
    by_payload = {bytes(r[2]): r for r in letters}
    for reason, topic, payload in bad:
        if reason != "oversize":
            assert by_payload[payload][:2] == (reason, topic), reason
    oversize = next(r for r in letters if r[0] == "oversize")
    assert "truncated" in oversize[3]
    # Kept truncated (INGEST_DEAD_LETTER_MAX_BYTES), with the size and hash of what came.
    sent = next(payload for reason, _t, payload in bad if reason == "oversize")
    assert len(oversize[2]) == 4096
    assert (oversize[4], bytes(oversize[5])) == (len(sent), hashlib.sha256(sent).digest())
    assert all(r[4] is None for r in letters if r[0] != "oversize")
    assert scalar(engine, "SELECT count(*) FROM slots WHERE detected_status = 'occupied'") == 12
