"""Broker unreachable while events happen: all delivered later, in order, seq across restarts."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pi_node.debounce import Change
from schemas.enums import DetectedStatus
from schemas.messages import NodeConfig, OccupancyEvent
from schemas.topics import NodeTopicKind, node_topic
from tests.integration.pi_node.conftest import messages, running_node
from tests.integration.pi_node.proxy import TcpProxy
from tests.support.mosquitto import MosquittoServer
from tests.support.mqtt import TestClient, connected_client

STATUSES = (DetectedStatus.OCCUPIED, DetectedStatus.FREE)


@pytest.fixture
def proxy(mosquitto: MosquittoServer) -> Iterator[TcpProxy]:
    proxy = TcpProxy((mosquitto.host, mosquitto.port))
    yield proxy
    proxy.down()


def emit_many(node_core: object, first: int, count: int) -> None:
    for i in range(first, first + count):
        slot = f"A0{i % 6 + 1}"
        status = STATUSES[(i // 6) % 2]
        node_core.emit(Change(slot, status, 0.9, datetime.now(UTC)))  # type: ignore[attr-defined]


class Ingest:
    """Keeps the first copy of each event, dropping redeliveries by event_id as ingest does."""

    def __init__(self, cloud: TestClient) -> None:
        self.cloud = cloud
        self.events: dict[str, OccupancyEvent] = {}

    def until(self, count: int) -> None:
        """Read until `count` distinct events arrived in all."""
        while len(self.events) < count:
            (message,) = messages(self.cloud, 1)
            event = OccupancyEvent.model_validate_json(message.payload)
            self.events.setdefault(str(event.event_id), event)

    def seqs(self) -> list[int]:
        return [event.seq for event in self.events.values()]


def test_events_made_while_offline_arrive_in_order_exactly_once(
    mosquitto: MosquittoServer, proxy: TcpProxy, tmp_path: Path, node_id: str, config: NodeConfig
) -> None:
    with connected_client(mosquitto) as cloud:
        cloud.subscribe(node_topic(node_id, NodeTopicKind.OCCUPANCY))
        # The node starts with its broker unreachable and keeps detecting.
        ingest = Ingest(cloud)
        with running_node(proxy.url, tmp_path, config, max_inflight=8) as node:
            emit_many(node.core, 0, 150)
            assert node.core.buffered() == 150
            proxy.up()
            node.wait_connected()
            ingest.until(150)
            # The link drops mid-replay of later events; nothing is lost or reordered.
            emit_many(node.core, 150, 150)
            proxy.down()
            emit_many(node.core, 300, 50)
            proxy.up()
            ingest.until(350)
        # A restart (same state dir) continues the sequence.
        with running_node(proxy.url, tmp_path, config) as node:
            emit_many(node.core, 350, 5)
            ingest.until(355)
            assert node.outbox.last_seq() == 355
    assert ingest.seqs() == list(range(1, 356))


def test_a_full_buffer_keeps_the_newest_and_the_gap_shows_in_seq(
    mosquitto: MosquittoServer, proxy: TcpProxy, tmp_path: Path, node_id: str, config: NodeConfig
) -> None:
    with connected_client(mosquitto) as cloud:
        cloud.subscribe(node_topic(node_id, NodeTopicKind.OCCUPANCY))
        with running_node(proxy.url, tmp_path, config, max_events=20) as node:
            emit_many(node.core, 0, 30)
            proxy.up()
            ingest = Ingest(cloud)
            ingest.until(20)
    assert ingest.seqs() == list(range(11, 31))
