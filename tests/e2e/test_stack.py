"""The whole system end to end: nodes -> Mosquitto -> ingest -> PostgreSQL -> HTTP API.

Lots and nodes come from the demo seed: `downtown` is driven by the simulator
(downtown-node-1..16), `harbour-surface` by the real `mosquitto_pub` speaking as the example
camera nodes harbour-node-1 (slots A01-A12) and harbour-node-2 (B01-B12), with their own
broker accounts (dynamic security).
"""

import signal
import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from schemas.enums import DetectedStatus
from schemas.messages import NodeBirth, NodeDeath, OccupancyEvent, to_payload
from schemas.topics import NodeTopicKind, node_topic
from tests.e2e.stack import LocalStack, eventually

pytestmark = pytest.mark.e2e

LOT = "harbour-surface"
ROW_A = [f"A{n:02d}" for n in range(1, 13)]
ROW_B = [f"B{n:02d}" for n in range(1, 13)]
FREE, OCCUPIED = DetectedStatus.FREE, DetectedStatus.OCCUPIED


@pytest.fixture
def workers(stack: LocalStack) -> Iterator[LocalStack]:
    """Two ingest workers, as in `make demo`; stopped after the test."""
    stack.start_worker(1)
    stack.start_worker(2)
    yield stack
    stack.stop_all()


def mosquitto_pub(
    stack: LocalStack,
    node: str,
    kind: NodeTopicKind,
    payloads: list[bytes],
    *,
    retain: bool = False,
) -> None:
    """Publish with the real mosquitto_pub client on camera node `node`'s topics (QoS 1), one
    per line. As the simulator account: the node's own account may hold one connection only
    (its client id is bound), and a test keeps that one open to carry the node's will."""
    argv = ["mosquitto_pub", "-h", "127.0.0.1", "-p", str(stack.mqtt_port), "-V", "5", "-q", "1",
            "-u", "simulator", "-P", stack.secrets["mqtt_simulator"], "-i", f"{node}-pub",
            "-t", node_topic(node, kind), "-l"]  # fmt: skip
    if retain:
        argv.append("-r")
    stdin = b"".join(payload + b"\n" for payload in payloads)
    subprocess.run(argv, input=stdin, check=True, capture_output=True, timeout=60)


def event(node: str, slot: str, status: DetectedStatus, seq: int, at: datetime) -> OccupancyEvent:
    return OccupancyEvent(
        event_id=uuid.uuid4(), node_id=node, lot_id=LOT, slot_id=slot, status=status,
        confidence=0.9, observed_at=at, seq=seq, detector="e2e:mosquitto_pub",
    )  # fmt: skip


def birth(bdseq: int, seq: int, slots: dict[str, DetectedStatus]) -> NodeBirth:
    return NodeBirth(
        state="online", bdseq=bdseq, lot_id=LOT, ts=datetime.now(UTC), seq=seq, slots=slots
    )


def slot_statuses(stack: LocalStack, slots: list[str]) -> dict[str, str]:
    """Each slot's effective status, as the API's slot list reports it (one request: the
    public API is rate-limited per client)."""
    page = stack.get(f"/api/v1/lots/{LOT}/slots?limit=500")
    found = {item["slot_id"]: item["status"] for item in page["items"]}
    return {slot: found[slot] for slot in slots}


def when_statuses(stack: LocalStack, expected: dict[str, str], what: str) -> None:
    """Wait until the API reports exactly `expected` for those slots."""

    seen: dict[str, str] = {}

    def check() -> bool | None:
        seen.update(slot_statuses(stack, list(expected)))
        return True if seen == expected else None

    try:
        eventually(check, what)
    except AssertionError as exc:
        wrong = {slot: status for slot, status in seen.items() if status != expected[slot]}
        raise AssertionError(f"{exc}; slots that differ (API status): {wrong}") from None


def test_simulated_nodes_fill_availability(workers: LocalStack) -> None:
    stack = workers
    stack.start(
        "simulator",
        ["parking-node", "--simulate", "--lot", "examples/lots/downtown-garage.json",
         "--slots-per-node", "24", "--max-rate", "500", "--seed", "7"],
        MQTT_URL=stack.env["DEMO_SIM_MQTT_URL"],
    )  # fmt: skip

    def settled() -> dict[str, Any] | None:
        availability = stack.get("/api/v1/lots/downtown/availability")
        return availability if availability["unknown"] == 0 else None

    # Every virtual node reports its slots' state on start: nothing stays unknown.
    availability = eventually(settled, "every downtown slot reported by the simulator")
    assert availability["total"] == 320
    assert availability["free"] + availability["occupied"] == 320
    assert availability["free"] > 0
    assert availability["occupied"] > 0
    # The counts agree with the database the events went into.
    rows = dict(
        stack.sql(
            "SELECT s.status, count(*) FROM slots s JOIN parking_lots l ON l.id = s.lot_id "
            "WHERE l.code = 'downtown' GROUP BY s.status"
        )
    )
    assert set(rows) <= {"free", "occupied"}
    assert sum(rows.values()) == 320
    events = stack.sql("SELECT count(*) FROM slot_events WHERE node_id LIKE 'downtown-node-%%'")
    assert events[0][0] >= 320


def test_events_then_node_death_turn_slots_unknown(workers: LocalStack) -> None:
    stack = workers
    node, topic = "harbour-node-1", node_topic("harbour-node-1", NodeTopicKind.STATUS)
    will = to_payload(NodeDeath(state="offline", bdseq=1)).decode()
    # The node's connection carries its Last Will, as a camera node's does.
    session = subprocess.Popen(
        ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(stack.mqtt_port), "-V", "5",
         "-u", node, "-P", stack.secrets[f"node_{node}"], "-i", node,
         "-t", node_topic(node, NodeTopicKind.CMD), "--will-topic", topic,
         "--will-payload", will, "--will-qos", "1", "--will-retain"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        snapshot = {slot: (OCCUPIED if i % 3 == 0 else FREE) for i, slot in enumerate(ROW_A)}
        mosquitto_pub(
            stack, node, NodeTopicKind.STATUS, [to_payload(birth(1, 0, snapshot))], retain=True
        )
        when_statuses(stack, {s: v.value for s, v in snapshot.items()}, "the birth's snapshot")

        now = datetime.now(UTC)
        changes = [event(node, "A02", OCCUPIED, 1, now), event(node, "A01", FREE, 2, now)]
        mosquitto_pub(stack, node, NodeTopicKind.OCCUPANCY, [to_payload(e) for e in changes])
        expected = {s: v.value for s, v in snapshot.items()} | {"A02": "occupied", "A01": "free"}
        when_statuses(stack, expected, "the occupancy events")
    finally:
        session.send_signal(signal.SIGKILL)  # the node dies: the broker publishes its will
        session.wait(timeout=10)
    when_statuses(stack, dict.fromkeys(ROW_A, "unknown"), "the dead node's slots to turn unknown")
    availability = stack.get(f"/api/v1/lots/{LOT}/availability")
    assert availability["unknown"] >= len(ROW_A)


def test_killed_ingest_worker_loses_nothing(workers: LocalStack) -> None:
    stack = workers
    node = "harbour-node-2"
    mosquitto_pub(
        stack, node, NodeTopicKind.STATUS, [to_payload(birth(1, 0, dict.fromkeys(ROW_B, FREE)))],
        retain=True,
    )  # fmt: skip
    # Newer than the birth, 1 ms apart: 4 s at most ahead of the clock (tolerance: 60 s).
    start = datetime.now(UTC)
    stream = [
        event(node, ROW_B[i % len(ROW_B)], OCCUPIED if (i // len(ROW_B)) % 2 else FREE, i + 1,
              start + timedelta(milliseconds=i + 1))
        for i in range(4000)
    ]  # fmt: skip
    ids = [str(e.event_id) for e in stream]

    def landed() -> int:
        found = stack.sql("SELECT count(*) FROM slot_events WHERE event_id = ANY(%s::uuid[])", ids)
        return int(found[0][0])

    first, second = stream[:2000], stream[2000:]
    mosquitto_pub(stack, node, NodeTopicKind.OCCUPANCY, [to_payload(e) for e in first])
    eventually(lambda: True if landed() > 0 else None, "the first events to be committed")
    stack.processes["ingest1"].send_signal(signal.SIGKILL)  # mid-stream, unacknowledged batch
    stack.processes["ingest1"].wait(timeout=10)
    # While it is down the broker queues its share in its persistent session.
    mosquitto_pub(stack, node, NodeTopicKind.OCCUPANCY, [to_payload(e) for e in second])
    stack.start_worker(1)  # same client id: it resumes that session

    eventually(lambda: True if landed() == len(stream) else None, "all 4000 events in PostgreSQL")
    assert landed() == len(stream)  # each exactly once (event_id is the primary key)
    last = {e.slot_id: e.status.value for e in stream}  # newest per slot is the last one sent
    when_statuses(stack, last, "each slot at its newest event")


def test_broker_refuses_anonymous_clients_and_foreign_topics(stack: LocalStack) -> None:
    base = ["mosquitto_pub", "-h", "127.0.0.1", "-p", str(stack.mqtt_port), "-V", "5", "-q", "1",
            "-d", "-m", "{}"]  # fmt: skip
    anonymous = subprocess.run(
        [*base, "-t", node_topic("harbour-node-1", NodeTopicKind.OCCUPANCY)],
        capture_output=True, text=True, check=False, timeout=30,
    )  # fmt: skip
    assert anonymous.returncode != 0
    assert "CONNACK (135)" in anonymous.stdout  # 0x87: not authorized
    # harbour-node-1 writing under harbour-node-2's id: the broker refuses the PUBLISH (0x87).
    foreign = subprocess.run(
        [*base, "-u", "harbour-node-1", "-P", stack.secrets["node_harbour-node-1"],
         "-i", "harbour-node-1", "-t", node_topic("harbour-node-2", NodeTopicKind.OCCUPANCY)],
        capture_output=True, text=True, check=False, timeout=30,
    )  # fmt: skip
    assert "PUBACK (Mid: 1, RC:135)" in foreign.stdout
    # Its credentials under an ingest worker's client id: refused at CONNECT, no takeover.
    takeover = subprocess.run(
        [*base, "-u", "harbour-node-1", "-P", stack.secrets["node_harbour-node-1"],
         "-i", "svc-ingest-1", "-t", node_topic("harbour-node-1", NodeTopicKind.OCCUPANCY)],
        capture_output=True, text=True, check=False, timeout=30,
    )  # fmt: skip
    assert "CONNACK (135)" in takeover.stdout
