"""In-process nodes wired to the test broker, and helpers to read what they publish."""

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from queue import Empty
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from pi_node.backoff import Backoff
from pi_node.core import NodeCore
from pi_node.mqtt import LinkOptions, MqttLink
from pi_node.outbox import Outbox
from schemas.broker_url import parse_mqtt_url
from schemas.export_json_schemas import JSON_DIR, schema_file_name
from schemas.messages import NodeConfig, PayloadKind
from schemas.topics import NodeTopicKind, node_topic
from tests.support.mosquitto import MosquittoServer
from tests.support.mqtt import Received, TestClient, connected_client
from tests.unit.pi_node.factories import node_config

TIMEOUT_S = 10.0


@dataclass
class RunningNode:
    core: NodeCore
    outbox: Outbox
    link: MqttLink
    stop: threading.Event
    thread: threading.Thread

    def wait_connected(self) -> None:
        assert self.link.connected.wait(TIMEOUT_S), "node did not connect"


@contextmanager
def running_node(
    url: str,
    state_dir: Path,
    config: NodeConfig,
    *,
    max_inflight: int = 16,
    max_events: int = 10_000,
    heartbeat_s: float = 3600.0,
) -> Iterator[RunningNode]:
    """A node core with its MQTT link in a thread (no camera: tests emit changes)."""
    outbox = Outbox(state_dir / f"{config.node_id}.sqlite3", max_events)
    core = NodeCore(config, outbox, detector="test:fixed")
    options = LinkOptions(
        broker=parse_mqtt_url(url),
        client_id=config.node_id,
        max_inflight=max_inflight,
        heartbeat_s=heartbeat_s,
        reconnect=Backoff(0.05, 0.2),
    )
    link = MqttLink(core, outbox, options, lambda: (2.0, True))
    stop = threading.Event()
    thread = threading.Thread(target=link.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield RunningNode(core, outbox, link, stop, thread)
    finally:
        stop.set()
        thread.join(TIMEOUT_S)
        outbox.close()
    assert not thread.is_alive(), "the MQTT link did not stop"


@pytest.fixture
def node_id(mosquitto: MosquittoServer) -> Iterator[str]:
    """A fresh node id; its retained status and receipt are cleared afterwards, so no later
    test's worker (the session's broker is shared) receives this node's leftovers."""
    node = f"it-{uuid.uuid4().hex[:12]}"
    yield node
    with connected_client(mosquitto) as cleaner:
        for kind in (NodeTopicKind.STATUS, NodeTopicKind.RECEIPT):
            cleaner.publish(node_topic(node, kind), b"", retain=True)


@pytest.fixture
def config(node_id: str) -> NodeConfig:
    return node_config(node_id=node_id)


def messages(
    client: TestClient, count: int, accept: Callable[[Received], bool] = lambda _m: True
) -> list[Received]:
    """The next `count` accepted messages (others skipped); fails after 10 s of silence."""
    found: list[Received] = []
    while len(found) < count:
        try:
            message = client.next_message(TIMEOUT_S)
        except Empty:
            pytest.fail(f"only {len(found)} of {count} messages arrived")
        if accept(message):
            found.append(message)
    return found


def of_kind(kind: str) -> Callable[[Received], bool]:
    return lambda message: message.topic.endswith(f"/{kind}")


def schema_validator(kind: PayloadKind) -> Draft202012Validator:
    schema = json.loads((JSON_DIR / schema_file_name(kind)).read_text("utf-8"))
    return Draft202012Validator(schema)


def valid(kind: PayloadKind, payload: bytes) -> dict[str, Any]:
    """The payload as JSON, after checking it against the checked-in JSON Schema."""
    document: dict[str, Any] = json.loads(payload)
    schema_validator(kind).validate(document)
    return document
