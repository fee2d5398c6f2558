"""Validation and routing of one message, table-driven."""

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from ingest_service.decode import (
    Beat,
    Birth,
    Context,
    Death,
    Event,
    Reason,
    Rejected,
    at_index,
    decode,
)

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
CTX = Context(NOW, timedelta(seconds=60))
TOPIC = "parking/v1/nodes/node-7/occupancy"


def occupancy(**changes: object) -> bytes:
    base = {
        "event_id": str(uuid.uuid4()), "node_id": "node-7", "lot_id": "downtown",
        "slot_id": "L1-A-012", "status": "occupied", "confidence": 0.93,
        "observed_at": "2026-11-26T10:00:00.123Z", "seq": 1,
    }  # fmt: skip
    return json.dumps({**base, **changes}).encode()


@pytest.mark.parametrize(
    ("topic", "payload", "reason"),
    [
        (TOPIC, b"{", Reason.MALFORMED_JSON),
        (TOPIC, b"\xff\xfe", Reason.MALFORMED_JSON),
        (TOPIC, occupancy(seq="1"), Reason.SCHEMA_VIOLATION),
        (TOPIC, occupancy(extra=1), Reason.SCHEMA_VIOLATION),
        (TOPIC, b" " * 3000, Reason.OVERSIZE),
        (TOPIC, occupancy(node_id="node-8"), Reason.NODE_MISMATCH),
        (TOPIC, occupancy(observed_at="2026-11-26T10:01:01Z"), Reason.FUTURE_TIMESTAMP),
        ("parking/v1/nodes/node-7/config", occupancy(), Reason.UNEXPECTED_TOPIC),
        ("parking/v1/lots/downtown/availability", occupancy(), Reason.UNEXPECTED_TOPIC),
        ("parking/v1/nodes/bad@id/occupancy", occupancy(), Reason.BAD_TOPIC),
        ("other/topic", occupancy(), Reason.BAD_TOPIC),
        ("parking/v1/nodes/node-7/status", b'{"state": "asleep"}', Reason.SCHEMA_VIOLATION),
    ],
)
def test_bad_messages_are_rejected_with_their_reason(
    topic: str, payload: bytes, reason: Reason
) -> None:
    item = decode(3, topic, payload, CTX)
    assert isinstance(item, Rejected)
    assert (item.index, item.reason) == (3, reason)
    assert item.detail


def test_node_id_is_kept_when_the_topic_names_one() -> None:
    item = decode(0, TOPIC, b"{", CTX)
    assert isinstance(item, Rejected)
    assert item.node_id == "node-7"


def test_an_event_older_than_the_horizon_is_stale_and_keeps_its_seq() -> None:
    ctx = Context(NOW, timedelta(seconds=60), max_age=timedelta(days=7))
    item = decode(0, TOPIC, occupancy(observed_at="2026-11-19T09:59:59Z", seq=77), ctx)
    assert isinstance(item, Rejected)
    assert (item.reason, item.seq, item.node_id) == (Reason.STALE_TIMESTAMP, 77, "node-7")
    assert "horizon" in item.detail
    assert isinstance(decode(0, TOPIC, occupancy(observed_at="2026-11-19T10:00:01Z"), ctx), Event)


def test_a_timestamp_within_the_tolerance_is_accepted() -> None:
    item = decode(0, TOPIC, occupancy(observed_at="2026-11-26T10:00:59Z"), CTX)
    assert isinstance(item, Event)
    assert item.event.slot_id == "L1-A-012"


@pytest.mark.parametrize(
    ("kind", "payload", "expected"),
    [
        (
            "status",
            {"state": "online", "bdseq": 1, "lot_id": "d", "ts": "2026-11-26T09:00:00Z",
             "seq": 0, "slots": {"A": "free"}},
            Birth,
        ),
        ("status", {"state": "offline", "bdseq": 1}, Death),
        (
            "heartbeat",
            {"node_id": "node-7", "ts": "2026-11-26T09:59:00Z", "uptime_s": 1, "fps": 2,
             "camera": "ok", "buffered": 0},
            Beat,
        ),
    ],
)  # fmt: skip
def test_each_consumed_kind_routes_to_its_item(
    kind: str, payload: dict[str, object], expected: type
) -> None:
    item = decode(0, f"parking/v1/nodes/node-7/{kind}", json.dumps(payload).encode(), CTX)
    assert isinstance(item, expected)


@pytest.mark.parametrize("kind", ["occupancy", "status"])
def test_at_index_places_an_item_in_its_batch_and_keeps_the_rest(kind: str) -> None:
    payload = occupancy() if kind == "occupancy" else b'{"state": "asleep"}'
    item = decode(0, f"parking/v1/nodes/node-7/{kind}", payload, CTX)
    moved = at_index(item, 7)
    assert moved.index == 7
    assert replace(moved, index=0) == item
