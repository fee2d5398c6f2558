"""Parking sessions from transitions; node liveness from births, wills, heartbeats, gaps."""

import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from ingest_service.settings import IngestSettings
from schemas.enums import DetectedStatus
from schemas.messages import (
    COMMAND_ADAPTER,
    Heartbeat,
    NodeBirth,
    NodeDeath,
    ResyncCommand,
    to_payload,
)
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
from tests.support.mqtt import connected_client

pytestmark = pytest.mark.integration


def birth(node: str, lot: str, bdseq: int, seq: int, slots: dict[str, str]) -> tuple[str, bytes]:
    payload = NodeBirth(
        state="online",
        bdseq=bdseq,
        lot_id=lot,
        ts=T0,
        seq=seq,
        slots={slot: DetectedStatus(status) for slot, status in slots.items()},
    )
    return node_topic(node, NodeTopicKind.STATUS), to_payload(payload)


def will(node: str, bdseq: int) -> tuple[str, bytes]:
    return node_topic(node, NodeTopicKind.STATUS), to_payload(
        NodeDeath(state="offline", bdseq=bdseq)
    )


def node_state(engine: Engine, node: str) -> tuple[object, ...]:
    """(state, bdseq) of a node."""
    return rows(engine, "SELECT state, bdseq FROM nodes WHERE id = :n", n=node)[0]


def test_occupied_free_occupied_makes_two_sessions_with_their_durations(
    engine: Engine,
    mosquitto: MosquittoServer,
    harbour: str,
    node_id: str,
    make_settings: Callable[..., IngestSettings],
) -> None:
    timeline = [("occupied", 0), ("free", 60), ("occupied", 180), ("free", 300)]
    events = [
        event(node_id, harbour, "A03", status, T0 + timedelta(seconds=s), i + 1)
        for i, (status, s) in enumerate(timeline)
    ]
    late_duplicate_start = event(node_id, harbour, "A03", "occupied", T0 + timedelta(seconds=30), 9)
    with running_worker(make_settings()), publisher(mosquitto) as pub:
        for e in events:  # one at a time: each is its own batch
            pub.publish([occupancy_message(e)])
            wait_for(
                lambda e=e: scalar(  # type: ignore[misc]
                    engine, "SELECT count(*) FROM slot_events WHERE event_id = :id", id=e.event_id
                ),
                "event stored",
            )
        pub.publish([occupancy_message(events[2]), occupancy_message(late_duplicate_start)])
        wait_for(lambda: scalar(engine, "SELECT count(*) FROM slot_events") == 5, "late event")
    sessions = rows(
        engine,
        "SELECT opened_by, started_at, duration_s, start_event_id, end_event_id "
        "FROM parking_sessions ORDER BY started_at",
    )
    assert sessions == [
        ("detection", T0, 60.0, events[0].event_id, events[1].event_id),
        ("detection", T0 + timedelta(seconds=180), 120.0, events[2].event_id, events[3].event_id),
    ]


def test_a_killed_node_s_last_will_marks_it_offline_and_its_slots_unknown(
    engine: Engine,
    mosquitto: MosquittoServer,
    harbour: str,
    unborn_node: str,
    make_settings: Callable[..., IngestSettings],
) -> None:
    node_id = unborn_node
    # A real node process: connects with its Last Will, sends its birth, then is killed.
    node_script = f"""
import sys, time, paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="{node_id}", protocol=mqtt.MQTTv5)
c.will_set("{will(node_id, 1)[0]}", {will(node_id, 1)[1]!r}, qos=1, retain=True)
c.connect("{mosquitto.host}", {mosquitto.port}, keepalive=60)
c.loop_start()
c.publish("{birth(node_id, harbour, 1, 10, {})[0]}",
          {birth(node_id, harbour, 1, 10, {"A05": "occupied", "A06": "free"})[1]!r},
          qos=1, retain=True).wait_for_publish(10)
print("born", flush=True)
time.sleep(600)
"""
    with running_worker(make_settings()):
        node = subprocess.Popen(
            [sys.executable, "-c", node_script], stdout=subprocess.PIPE, text=True
        )
        try:
            assert node.stdout is not None
            assert node.stdout.readline().strip() == "born"
            wait_for(lambda: node_state(engine, node_id) == ("online", 1), "node online")
            assert rows(
                engine, "SELECT code, status FROM slots WHERE code IN ('A05','A06') ORDER BY code"
            ) == [("A05", "occupied"), ("A06", "free")]
        finally:
            node.kill()
            node.wait()
            assert node.stdout is not None
            node.stdout.close()
        wait_for(lambda: node_state(engine, node_id) == ("offline", 1), "node offline")
        wait_for(
            lambda: (
                rows(
                    engine,
                    "SELECT code, detected_status, status FROM slots "
                    "WHERE code IN ('A05','A06') ORDER BY code",
                )
                == [("A05", "occupied", "unknown"), ("A06", "free", "unknown")]
            ),
            "slots unknown",
        )


def test_a_late_will_of_an_older_session_is_ignored_and_a_return_asks_for_resync(
    engine: Engine,
    mosquitto: MosquittoServer,
    harbour: str,
    unborn_node: str,
    make_settings: Callable[..., IngestSettings],
) -> None:
    node_id = unborn_node
    cmd_topic = node_topic(node_id, NodeTopicKind.CMD)
    with (
        running_worker(make_settings()),
        publisher(mosquitto) as pub,
        connected_client(mosquitto) as cloud_listener,
    ):
        cloud_listener.subscribe(cmd_topic)
        pub.publish([birth(node_id, harbour, 1, 5, {"A07": "occupied"})])
        wait_for(lambda: node_state(engine, node_id) == ("online", 1), "first birth")
        pub.publish([will(node_id, 1)])
        wait_for(lambda: node_state(engine, node_id) == ("offline", 1), "will")
        pub.publish([birth(node_id, harbour, 2, 6, {"A07": "occupied"})])
        wait_for(lambda: node_state(engine, node_id) == ("online", 2), "second birth")
        resync = cloud_listener.next_message(timeout=10)
        pub.publish([will(node_id, 1)])  # the old session's will, delivered late
        pub.publish([occupancy_message(event(node_id, harbour, "A08", "free", T0, 7))])
        wait_for(lambda: scalar(engine, "SELECT count(*) FROM slot_events WHERE seq = 7"), "event")
    assert (resync.topic, resync.payload) == (cmd_topic, b'{"cmd":"resync"}')
    assert node_state(engine, node_id) == ("online", 2)
    assert scalar(engine, "SELECT status FROM slots WHERE code = 'A07'") == "occupied"


def test_a_gap_in_seq_that_does_not_fill_asks_the_node_to_resync(
    engine: Engine,
    mosquitto: MosquittoServer,
    harbour: str,
    unborn_node: str,
    make_settings: Callable[..., IngestSettings],
) -> None:
    node_id = unborn_node
    events = [
        event(node_id, harbour, "A09", "free", T0 + timedelta(seconds=s), s) for s in (1, 2, 4)
    ]
    settings = make_settings(reorder_window_s=0.5)
    with (
        running_worker(settings),
        publisher(mosquitto) as pub,
        connected_client(mosquitto) as listener,
    ):
        listener.subscribe(node_topic(node_id, NodeTopicKind.CMD))
        pub.publish([birth(node_id, harbour, 1, 0, {})])
        pub.publish([occupancy_message(e) for e in events])
        resync = listener.next_message(timeout=20)
    assert COMMAND_ADAPTER.validate_json(resync.payload) == ResyncCommand(cmd="resync")
    assert scalar(engine, "SELECT last_seq FROM nodes WHERE id = :n", n=node_id) == 4


def test_a_silent_node_turns_stale_and_its_slots_unknown(
    engine: Engine,
    mosquitto: MosquittoServer,
    harbour: str,
    node_id: str,
    make_settings: Callable[..., IngestSettings],
) -> None:
    beat = Heartbeat(
        node_id=node_id, ts=datetime.now(UTC), uptime_s=5, fps=2, camera="ok", buffered=0
    )
    with running_worker(make_settings(stale_after_s=1)), publisher(mosquitto) as pub:
        pub.publish([birth(node_id, harbour, 1, 0, {"A10": "occupied"})])
        pub.publish([(node_topic(node_id, NodeTopicKind.HEARTBEAT), to_payload(beat))], qos=0)
        wait_for(lambda: node_state(engine, node_id) == ("stale", 1), "stale", timeout=20)
        wait_for(
            lambda: scalar(engine, "SELECT status FROM slots WHERE code = 'A10'") == "unknown",
            "slot unknown",
        )
    assert scalar(engine, "SELECT camera_ok FROM nodes WHERE id = :n", n=node_id) is True
