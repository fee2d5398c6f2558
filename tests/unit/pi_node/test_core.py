"""The node core: events, birth, heartbeat, config and commands from the cloud."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pi_node.core import NodeCore, Reaction, config_problem
from pi_node.debounce import Change
from pi_node.outbox import Outbox
from schemas.enums import DetectedStatus
from schemas.messages import (
    NODE_STATUS_ADAPTER,
    Heartbeat,
    NodeBirth,
    NodeConfig,
    NodeReceipt,
    OccupancyEvent,
    to_payload,
)
from schemas.topics import NodeTopicKind
from tests.unit.pi_node.factories import node_config

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
OCC, FREE, UNK = DetectedStatus.OCCUPIED, DetectedStatus.FREE, DetectedStatus.UNKNOWN


@pytest.fixture
def core(tmp_path: Path) -> NodeCore:
    return NodeCore(node_config(), Outbox(tmp_path / "o.sqlite3", 100), clock=lambda: NOW)


def buffered_events(core: NodeCore) -> list[OccupancyEvent]:
    return [OccupancyEvent.model_validate_json(p.payload) for p in core._outbox.pending(0, 1000)]


def test_emit_buffers_a_valid_event_and_updates_the_snapshot(core: NodeCore) -> None:
    core.detector = "classic:reference"
    event = core.emit(Change("A02", OCC, 0.87, NOW))
    assert event is not None
    assert buffered_events(core) == [event]
    assert (event.node_id, event.lot_id, event.slot_id, event.status, event.seq) == (
        "test-node",
        "test-lot",
        "A02",
        OCC,
        1,
    )
    assert event.detector == "classic:reference"
    assert core.statuses()["A02"] is OCC


def test_emit_for_an_unknown_slot_is_ignored(core: NodeCore) -> None:
    assert core.emit(Change("Z99", OCC, 0.9, NOW)) is None
    assert buffered_events(core) == []


def test_birth_carries_the_full_snapshot(core: NodeCore) -> None:
    core.emit(Change("A01", FREE, 0.9, NOW))
    birth = NODE_STATUS_ADAPTER.validate_json(core.birth(bdseq=4))
    assert isinstance(birth, NodeBirth)
    assert (birth.bdseq, birth.seq, birth.lot_id, birth.ts) == (4, 1, "test-lot", NOW)
    assert birth.slots == {"A01": FREE, **{f"A0{i}": UNK for i in range(2, 7)}}


def test_heartbeat(core: NodeCore) -> None:
    core.emit(Change("A01", FREE, 0.9, NOW))
    beat = Heartbeat.model_validate_json(core.heartbeat(2.0, camera_ok=False, cpu_temp_c=51.2))
    assert (beat.camera, beat.buffered, beat.seq, beat.fps, beat.cpu_temp_c) == (
        "error",
        1,
        1,
        2.0,
        51.2,
    )


def test_resync_republishes_every_slot_as_new_events(core: NodeCore) -> None:
    core.emit(Change("A01", OCC, 0.9, NOW))
    reaction = core.handle(NodeTopicKind.CMD, b'{"cmd":"resync","request_id":"r1"}')
    assert reaction is Reaction.NONE
    events = buffered_events(core)[1:]
    assert [(e.slot_id, e.status) for e in events] == [("A01", OCC)] + [
        (f"A0{i}", UNK) for i in range(2, 7)
    ]
    assert [e.seq for e in events] == list(range(2, 8))
    assert len({e.event_id for e in buffered_events(core)}) == 7


def test_snapshot_asks_for_a_new_birth(core: NodeCore) -> None:
    assert core.handle(NodeTopicKind.CMD, b'{"cmd":"snapshot"}') is Reaction.REBIRTH


@pytest.mark.parametrize(
    "payload", [b"{", b'{"cmd":"reboot"}', b'{"cmd":"resync","extra":1}', b"x" * 5000]
)
def test_bad_commands_are_ignored(core: NodeCore, payload: bytes) -> None:
    assert core.handle(NodeTopicKind.CMD, payload) is Reaction.NONE
    assert buffered_events(core) == []


def test_a_new_slot_map_applies_and_keeps_known_states(core: NodeCore) -> None:
    seen: list[NodeConfig] = []
    core.on_config = seen.append
    core.emit(Change("A01", OCC, 0.9, NOW))
    new = node_config(slots=8, version=2)
    assert core.handle(NodeTopicKind.CONFIG, to_payload(new)) is Reaction.REBIRTH
    assert seen == [new]
    assert core.config == new
    assert core.statuses() == {"A01": OCC, **{f"A0{i}": UNK for i in range(2, 9)}}
    # The retained copy arrives again after a reconnect: nothing to do.
    assert core.handle(NodeTopicKind.CONFIG, to_payload(new)) is Reaction.NONE
    assert seen == [new]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"node_id": "other"}, "it is for node 'other'"),
        ({"lot_id": "elsewhere"}, "moves the node to lot 'elsewhere'"),
        ({"version": 0}, "version 0 is older than the version 1"),
    ],
)
def test_config_problem(changes: dict[str, object], problem: str) -> None:
    new = node_config(**changes)  # type: ignore[arg-type]
    found = config_problem(node_config(), new)
    assert found is not None
    assert problem in found


@pytest.mark.parametrize("changes", [{}, {"version": 2}, {"version": None}, {"slots": 3}])
def test_acceptable_configs(changes: dict[str, object]) -> None:
    assert config_problem(node_config(), node_config(**changes)) is None  # type: ignore[arg-type]


def test_bad_or_foreign_config_is_ignored(core: NodeCore) -> None:
    foreign = json.dumps({**json.loads(to_payload(node_config())), "node_id": "x"}).encode()
    for payload in (b"", b"not json", b'{"node_id": 1}', foreign):
        assert core.handle(NodeTopicKind.CONFIG, payload) is Reaction.NONE
    assert core.config == node_config()


def receipt(node_id: str, seq: int) -> bytes:
    return to_payload(NodeReceipt(node_id=node_id, seq=seq, ts=NOW))


def test_a_receipt_for_this_node_confirms_its_events(core: NodeCore) -> None:
    for slot in ("A01", "A02", "A03"):
        core.emit(Change(slot, OCC, 0.9, NOW))
    assert core.handle(NodeTopicKind.RECEIPT, receipt("test-node", 2)) is Reaction.NONE
    assert [e.seq for e in buffered_events(core)] == [3]
    core.handle(NodeTopicKind.RECEIPT, receipt("other-node", 3))  # not ours
    core.handle(NodeTopicKind.RECEIPT, receipt("test-node", 9))  # beyond our last seq
    core.handle(NodeTopicKind.RECEIPT, b"")  # a cleared retained receipt
    core.handle(NodeTopicKind.RECEIPT, b"{not json")
    assert [e.seq for e in buffered_events(core)] == [3]


def test_an_event_too_large_to_deliver_is_refused_not_queued(tmp_path: Path) -> None:
    core = NodeCore(node_config(), Outbox(tmp_path / "o.sqlite3", 100), max_event_bytes=100)
    assert core.emit(Change("A01", OCC, 0.9, NOW)) is None
    assert (core.buffered(), core.refused_oversize, core._outbox.last_seq()) == (0, 1, 0)
    assert core.statuses()["A01"] is UNK  # not published, so not the published state


def test_heartbeat_and_birth_say_what_the_node_still_holds(tmp_path: Path) -> None:
    core = NodeCore(node_config(), Outbox(tmp_path / "o.sqlite3", 10), clock=lambda: NOW)
    for i in range(12):
        core.emit(Change(("A01", "A02")[i % 2], (OCC, FREE)[i // 2 % 2], 0.9, NOW))
    beat = Heartbeat.model_validate_json(core.heartbeat(2.0, True))
    assert (beat.buffered, beat.oldest_seq, beat.dropped, beat.seq) == (10, 3, 2, 12)
    birth = NODE_STATUS_ADAPTER.validate_json(core.birth(bdseq=1))
    assert isinstance(birth, NodeBirth)
    assert birth.oldest_seq == 3
