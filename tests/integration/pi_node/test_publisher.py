"""A node against the real broker: events, birth, heartbeat, config and commands."""

from datetime import UTC, datetime
from pathlib import Path

from pi_node.debounce import Change
from schemas.enums import DetectedStatus
from schemas.messages import NodeConfig, PayloadKind, to_payload
from schemas.topics import NodeTopicKind, node_topic
from tests.integration.pi_node.conftest import messages, of_kind, running_node, valid
from tests.support.mosquitto import MosquittoServer
from tests.support.mqtt import connected_client
from tests.unit.pi_node.factories import node_config

OCC, FREE, UNK = DetectedStatus.OCCUPIED, DetectedStatus.FREE, DetectedStatus.UNKNOWN


def change(slot: str, status: DetectedStatus) -> Change:
    return Change(slot, status, 0.9, datetime.now(UTC))


def test_events_birth_and_heartbeat_are_valid_and_ordered(
    mosquitto: MosquittoServer, tmp_path: Path, node_id: str, config: NodeConfig
) -> None:
    with connected_client(mosquitto) as watcher:
        watcher.subscribe(f"parking/v1/nodes/{node_id}/#")
        with running_node(mosquitto.url, tmp_path, config, heartbeat_s=0.2) as node:
            node.wait_connected()
            statuses = [OCC, FREE, OCC, FREE, UNK, OCC]
            for slot, status in zip(
                ["A01", "A02", "A03", "A01", "A02", "A04"], statuses, strict=True
            ):
                node.core.emit(change(slot, status))
            events = [
                valid(PayloadKind.OCCUPANCY_EVENT, m.payload)
                for m in messages(watcher, 6, of_kind("occupancy"))
            ]
            beats = [
                valid(PayloadKind.HEARTBEAT, m.payload)
                for m in messages(watcher, 2, of_kind("heartbeat"))
            ]
    assert [e["seq"] for e in events] == [1, 2, 3, 4, 5, 6]
    assert [e["status"] for e in events] == [s.value for s in statuses]
    assert {(e["node_id"], e["lot_id"], e["detector"]) for e in events} == {
        (node_id, "test-lot", "test:fixed")
    }
    assert len({e["event_id"] for e in events}) == 6
    assert beats[-1]["node_id"] == node_id
    assert beats[-1]["camera"] == "ok"
    # A dashboard arriving later still finds the node's status: birth then its goodbye.
    with connected_client(mosquitto) as late:
        late.subscribe(node_topic(node_id, NodeTopicKind.STATUS))
        (retained,) = messages(late, 1)
    assert retained.retain
    assert valid(PayloadKind.NODE_STATUS, retained.payload) == {"state": "offline", "bdseq": 1}


def test_birth_is_retained_with_the_snapshot(
    mosquitto: MosquittoServer, tmp_path: Path, node_id: str, config: NodeConfig
) -> None:
    with running_node(mosquitto.url, tmp_path, config) as node:
        node.wait_connected()
        node.core.emit(change("A03", OCC))
        with connected_client(mosquitto) as late:
            late.subscribe(node_topic(node_id, NodeTopicKind.STATUS))
            (status,) = messages(late, 1)
            # The birth went out at connect; a snapshot command republishes it, current.
            late.publish(node_topic(node_id, NodeTopicKind.CMD), b'{"cmd":"snapshot"}')
            (fresh,) = messages(late, 1)
    birth = valid(PayloadKind.NODE_STATUS, status.payload)
    assert status.retain
    assert (birth["state"], birth["bdseq"], birth["lot_id"]) == ("online", 1, "test-lot")
    assert set(birth["slots"]) == {f"A0{i}" for i in range(1, 7)}
    snapshot = valid(PayloadKind.NODE_STATUS, fresh.payload)
    assert snapshot["slots"]["A03"] == "occupied"
    assert snapshot["seq"] == 1


def test_resync_republishes_every_slot(
    mosquitto: MosquittoServer, tmp_path: Path, node_id: str, config: NodeConfig
) -> None:
    with connected_client(mosquitto) as cloud:
        cloud.subscribe(node_topic(node_id, NodeTopicKind.OCCUPANCY))
        with running_node(mosquitto.url, tmp_path, config) as node:
            node.wait_connected()
            node.core.emit(change("A02", OCC))
            messages(cloud, 1)
            cloud.publish(node_topic(node_id, NodeTopicKind.CMD), b'{"cmd":"resync"}')
            events = [valid(PayloadKind.OCCUPANCY_EVENT, m.payload) for m in messages(cloud, 6)]
    assert {e["slot_id"]: e["status"] for e in events} == {
        "A01": "unknown", "A02": "occupied", "A03": "unknown",
        "A04": "unknown", "A05": "unknown", "A06": "unknown",
    }  # fmt: skip
    assert [e["seq"] for e in events] == list(range(2, 8))


def test_a_new_slot_map_on_the_config_topic_takes_effect(
    mosquitto: MosquittoServer, tmp_path: Path, node_id: str, config: NodeConfig
) -> None:
    new = node_config(node_id=node_id, slots=8, version=2)
    with connected_client(mosquitto) as cloud:
        cloud.subscribe(f"parking/v1/nodes/{node_id}/#")
        with running_node(mosquitto.url, tmp_path, config) as node:
            node.wait_connected()
            messages(cloud, 1, of_kind("status"))
            cloud.publish(node_topic(node_id, NodeTopicKind.CONFIG), to_payload(new), retain=True)
            (rebirth,) = messages(cloud, 1, of_kind("status"))
            assert node.core.emit(change("A08", OCC)) is not None
            (event,) = messages(cloud, 1, of_kind("occupancy"))
        # Clear the retained config so that it cannot leak into another test.
        cloud.publish(node_topic(node_id, NodeTopicKind.CONFIG), b"", retain=True)
    assert set(valid(PayloadKind.NODE_STATUS, rebirth.payload)["slots"]) == {
        f"A0{i}" for i in range(1, 9)
    }
    assert valid(PayloadKind.OCCUPANCY_EVENT, event.payload)["slot_id"] == "A08"
    assert node.core.config == new
