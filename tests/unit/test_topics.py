"""Topic names: builders and parser agree, and anything else is rejected with a reason."""

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.errors import TopicError
from schemas.topics import (
    AvailabilityTopic,
    NodeTopic,
    NodeTopicKind,
    SlotStateTopic,
    availability_topic,
    availability_wildcard,
    lot_wildcard,
    node_topic,
    node_wildcard,
    parse_topic,
    shared_subscription,
    slot_state_topic,
    slot_state_wildcard,
)

ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", fullmatch=True)


@given(node_id=ids, kind=st.sampled_from(NodeTopicKind))
def test_node_topic_round_trip(node_id: str, kind: NodeTopicKind) -> None:
    topic = node_topic(node_id, kind)
    assert parse_topic(topic) == NodeTopic(node_id, kind)
    assert parse_topic(topic).topic == topic


@given(lot_id=ids, slot_id=ids)
def test_lot_topics_round_trip(lot_id: str, slot_id: str) -> None:
    state = slot_state_topic(lot_id, slot_id)
    availability = availability_topic(lot_id)
    assert parse_topic(state) == SlotStateTopic(lot_id, slot_id)
    assert parse_topic(availability) == AvailabilityTopic(lot_id)
    assert (parse_topic(state).topic, parse_topic(availability).topic) == (state, availability)


@pytest.mark.parametrize(
    ("built", "expected"),
    [
        (node_topic("node-7", NodeTopicKind.OCCUPANCY), "parking/v1/nodes/node-7/occupancy"),
        (slot_state_topic("downtown", "L1-A-012"), "parking/v1/lots/downtown/slots/L1-A-012/state"),
        (availability_topic("downtown"), "parking/v1/lots/downtown/availability"),
        (node_wildcard(NodeTopicKind.STATUS), "parking/v1/nodes/+/status"),
        (
            shared_subscription(NodeTopicKind.OCCUPANCY),
            "$share/ingest/parking/v1/nodes/+/occupancy",
        ),
        (
            shared_subscription(NodeTopicKind.HEARTBEAT, "g2"),
            "$share/g2/parking/v1/nodes/+/heartbeat",
        ),
        (slot_state_wildcard(), "parking/v1/lots/+/slots/+/state"),
        (slot_state_wildcard("downtown"), "parking/v1/lots/downtown/slots/+/state"),
        (availability_wildcard(), "parking/v1/lots/+/availability"),
        (lot_wildcard(), "parking/v1/lots/#"),
        (lot_wildcard("downtown"), "parking/v1/lots/downtown/#"),
    ],
)
def test_builders_and_filters(built: str, expected: str) -> None:
    assert built == expected


@pytest.mark.parametrize("bad_id", ["a/b", "+", "#", "", "a" * 65, "$SYS", " a", "a b", "-a"])
def test_builders_reject_bad_ids(bad_id: str) -> None:
    for build in (
        lambda: node_topic(bad_id, NodeTopicKind.STATUS),
        lambda: slot_state_topic("lot", bad_id),
        lambda: availability_topic(bad_id),
        lambda: shared_subscription(NodeTopicKind.STATUS, group=bad_id),
        lambda: NodeTopic(bad_id, NodeTopicKind.CMD),
    ):
        with pytest.raises(TopicError, match=r"invalid .*: must match"):
            build()


def test_unknown_kind_is_rejected_by_builders() -> None:
    with pytest.raises(TopicError, match="unknown kind 'reboot'"):
        node_topic("node-7", "reboot")  # type: ignore[arg-type]


P = "parking/v1"
MALFORMED: list[tuple[str, str]] = [
    ("", "empty topic"),
    ("parking/v2/nodes/node-7/status", "wrong prefix, expected 'parking/v1'"),
    ("Parking/v1/nodes/node-7/status", "wrong prefix"),
    ("parking", "wrong prefix"),
    (P, "wrong number of segments (2)"),
    (f"{P}/nodes/node-7", "wrong number of segments (4), expected parking/v1/nodes/{node_id}"),
    (f"{P}/nodes/node-7/status/extra", "wrong number of segments (6)"),
    (f"{P}/lots/downtown/slots/L1", "wrong number of segments (6)"),
    (f"{P}/nodes/node-7/reboot", "unknown kind 'reboot', expected one of status, occupancy"),
    (f"{P}/lots/downtown/slots/L1/status", "unexpected segment 'status', expected 'state'"),
    (f"{P}/lots/downtown/free", "unexpected segment 'free', expected 'availability'"),
    (f"{P}/cars/node-7/status", "unknown segment 'cars' after prefix, expected 'nodes' or 'lots'"),
    (f"{P}//node-7/status", "empty segment at position 2"),
    (f"{P}/nodes//status", "empty segment at position 3"),
    (f"/{P}/nodes/node-7/status", "leading '/'"),
    (f"{P}/nodes/node-7/status/", "trailing '/'"),
    (f"{P}/nodes/+/status", "contains wildcard character '+'"),
    (f"{P}/nodes/#", "contains wildcard character '#'"),
    (f"{P}/nodes/node+7/status", "contains wildcard character '+'"),
    ("$SYS/broker/uptime", "'$' topics belong to the broker"),
    (f"$share/ingest/{P}/nodes/node-7/status", "'$' topics belong to the broker"),
    (f"{P}/nodes/node\x007/status", "contains a NUL character"),
    (f"{P}/nodes/node\ud8007/status", "not encodable as UTF-8"),
    (f"{P}/nodes/{'a' * 65536}/status", "bytes in UTF-8, over 65535"),
    (f"{P}/nodes/{'a' * 65}/status", "invalid node_id 'aaaa"),
    (f"{P}/nodes/.node/status", "invalid node_id '.node': must match"),
    (f"{P}/nodes/nöde/status", "invalid node_id 'nöde'"),
    (f"{P}/lots/down town/availability", "invalid lot_id 'down town'"),
    (f"{P}/lots/downtown/slots/L1$/state", "invalid slot_id 'L1$'"),
]


@pytest.mark.parametrize(("topic", "reason"), MALFORMED)
def test_malformed_topics_are_rejected_with_a_reason(topic: str, reason: str) -> None:
    with pytest.raises(TopicError) as caught:
        parse_topic(topic)
    assert reason in caught.value.reason
    assert caught.value.topic == topic


def test_topic_error_message_pickles_and_stays_short() -> None:
    error = pickle.loads(pickle.dumps(TopicError("x/y", "wrong prefix")))  # noqa: S301
    assert str(error) == "invalid topic 'x/y': wrong prefix"
    assert len(str(TopicError("a" * 70_000, "too long"))) < 300
