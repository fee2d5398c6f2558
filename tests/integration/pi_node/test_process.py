"""`parking-node` as a process: camera -> classic detector -> MQTT; SIGKILL leaves its will."""

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cv2
import pytest
import yaml

from schemas.messages import NodeReceipt, PayloadKind, to_payload
from schemas.topics import NodeTopicKind, node_topic
from tests.integration.pi_node.conftest import messages, of_kind, valid
from tests.support.mosquitto import MosquittoServer
from tests.support.mqtt import TestClient, connected_client
from tests.unit.pi_node.scenes import draw_lot, slot_polygons

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def node_yaml(tmp_path: Path, node_id: str) -> Path:
    """A node watching a folder of stills: cars in A01 and A03, against an empty-lot image."""
    frames = tmp_path / "frames"
    frames.mkdir()
    cv2.imwrite(str(frames / "frame.png"), draw_lot({0: 0, 2: 0}, seed=1))
    cv2.imwrite(str(tmp_path / "empty.png"), draw_lot(seed=2))
    config = {
        "node_id": node_id,
        "lot_id": "test-lot",
        "camera": {"source": str(frames), "fps": 10},
        "detector": {"backend": "classic", "reference": str(tmp_path / "empty.png")},
        "slots": [slot.model_dump(mode="json") for slot in slot_polygons()],
        "occupancy": {"confirm_frames": 2},
    }
    path = tmp_path / "node.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture
def start_node(
    mosquitto: MosquittoServer, node_yaml: Path, tmp_path: Path
) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    log = (tmp_path / "node.log").open("ab")  # read it when a test fails
    env = {
        **os.environ,
        "MQTT_URL": mosquitto.url,
        "NODE_STATE_DIR": str(tmp_path / "state"),
        "NODE_HEARTBEAT_S": "0.5",
    }

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-m", "pi_node", "--config", str(node_yaml)],
            cwd=ROOT,
            env=env,
            stderr=log,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(10)
    log.close()


def birth_and_events(watcher: TestClient) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    (status,) = messages(watcher, 1, of_kind("status"))
    birth = valid(PayloadKind.NODE_STATUS, status.payload)
    events = [
        valid(PayloadKind.OCCUPANCY_EVENT, m.payload)
        for m in messages(watcher, 6, of_kind("occupancy"))
    ]
    return birth, events


def test_node_process_detects_publishes_and_leaves_its_will(
    mosquitto: MosquittoServer, start_node: Callable[[], subprocess.Popen[bytes]], node_id: str
) -> None:
    with connected_client(mosquitto) as watcher:
        watcher.subscribe(f"parking/v1/nodes/{node_id}/#")
        first = start_node()
        birth, events = birth_and_events(watcher)
        assert (birth["state"], birth["bdseq"]) == ("online", 1)
        assert {e["slot_id"]: e["status"] for e in events} == {
            "A01": "occupied", "A02": "free", "A03": "occupied",
            "A04": "free", "A05": "free", "A06": "free",
        }  # fmt: skip
        assert [e["seq"] for e in events] == [1, 2, 3, 4, 5, 6]
        assert {e["detector"] for e in events} == {"classic:reference"}
        (beat,) = messages(watcher, 1, of_kind("heartbeat"))
        assert valid(PayloadKind.HEARTBEAT, beat.payload)["camera"] == "ok"
        # As ingest does once they are committed: the node may forget seqs 1..6.
        receipt = NodeReceipt(node_id=node_id, seq=6, ts=datetime.now(UTC))
        watcher.publish(
            node_topic(node_id, NodeTopicKind.RECEIPT), to_payload(receipt), retain=True
        )
        buffered = [
            valid(PayloadKind.HEARTBEAT, m.payload)["buffered"]
            for m in messages(watcher, 6, of_kind("heartbeat"))  # three seconds' worth
        ]
        assert buffered[-1] == 0, buffered

        first.send_signal(signal.SIGKILL)
        first.wait(10)
        (will,) = messages(watcher, 1, of_kind("status"))
        assert valid(PayloadKind.NODE_STATUS, will.payload) == {"state": "offline", "bdseq": 1}

        second = start_node()
        birth, events = birth_and_events(watcher)
        assert (birth["state"], birth["bdseq"], birth["seq"]) == ("online", 2, 6)
        assert sorted(e["seq"] for e in events) == [7, 8, 9, 10, 11, 12]

        second.send_signal(signal.SIGTERM)
        assert second.wait(10) == 0
        (goodbye,) = messages(watcher, 1, of_kind("status"))
        assert valid(PayloadKind.NODE_STATUS, goodbye.payload) == {"state": "offline", "bdseq": 2}
