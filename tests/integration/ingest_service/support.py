"""Helpers for ingest tests: lots and nodes in the database, events on the wire, workers."""

import queue
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from ingest_service.db import Database
from ingest_service.settings import IngestSettings
from ingest_service.transport import Outbound, PahoTransport
from ingest_service.worker import Worker
from schemas.db import Node, Operator, ParkingLot
from schemas.db.layout_import import import_layout
from schemas.enums import DetectedStatus, NodeState
from schemas.layout import parse_layout
from schemas.messages import OccupancyEvent, to_payload
from schemas.topics import NodeTopicKind, node_topic
from tests.support.mosquitto import MosquittoServer
from tests.support.slot_maps import slot_map

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "lots"
T = TypeVar("T")


def import_example_lot(engine: Engine, name: str) -> str:
    """Import examples/lots/<name>.json (creating its operator); the lot code."""
    layout = parse_layout((EXAMPLES / f"{name}.json").read_bytes())
    with Session(engine) as session, session.begin():
        if session.scalar(select(Operator).where(Operator.code == layout.operator)) is None:
            session.add(Operator(code=layout.operator, name=layout.operator))
            session.flush()
        import_layout(session, layout, actor="test")
    return layout.code


def register_node(
    engine: Engine,
    node_id: str,
    lot_code: str,
    *,
    online: bool = True,
    slots: Sequence[str] | None = None,
) -> None:
    """A `nodes` row: the node is registered for the lot (as POST /admin/nodes does), with
    a slot map over `slots` (default: every slot of the lot), registered before any test time.

    `online`: as if its birth (bdseq 0) had arrived just now, so its detections count;
    otherwise it is registered but has never connected (its slots read unknown).
    """
    watched = slot_codes(engine, lot_code) if slots is None else slots
    with Session(engine) as session, session.begin():
        lot = session.scalar(select(ParkingLot).where(ParkingLot.code == lot_code))
        assert lot is not None
        node = Node(
            id=node_id,
            lot_id=lot.id,
            slot_map=slot_map(node_id, lot_code, watched),
            slot_map_version=1,
            created_at=REGISTERED_AT,
        )
        if online:
            node.state, node.bdseq, node.last_seen = NodeState.ONLINE, 0, datetime.now(UTC)
        session.add(node)


def slot_codes(engine: Engine, lot_code: str) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.scalars(
                text(
                    "SELECT s.code FROM slots s JOIN parking_lots l ON l.id = s.lot_id "
                    "WHERE l.code = :lot ORDER BY s.code"
                ),
                {"lot": lot_code},
            )
        )


T0 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
# Test events carry fixed times (T0 ...): nodes are registered long before them, and the
# workers' horizon for old events reaches back past them, whatever today's date.
REGISTERED_AT = datetime(2020, 1, 1, tzinfo=UTC)
HORIZON_S = 20 * 365 * 86_400


def event(
    node: str,
    lot: str,
    slot: str,
    status: DetectedStatus | str,
    at: datetime,
    seq: int,
    event_id: uuid.UUID | None = None,
) -> OccupancyEvent:
    return OccupancyEvent(
        event_id=event_id or uuid.uuid4(),
        node_id=node,
        lot_id=lot,
        slot_id=slot,
        status=DetectedStatus(status),
        confidence=0.9,
        observed_at=at,
        seq=seq,
        detector="test:1",
    )


def occupancy_message(e: OccupancyEvent) -> tuple[str, bytes]:
    return node_topic(e.node_id, NodeTopicKind.OCCUPANCY), to_payload(e)


def wait_for(check: Callable[[], T], what: str, timeout: float = 60.0) -> T:
    """Poll `check` until it returns something truthy (bounded), and return it."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what} after {timeout} s (last: {value!r})")
        time.sleep(0.05)


def scalar(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.scalar(text(sql), params)


def rows(engine: Engine, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


class Publisher:
    """A node-side MQTT 5 publisher with a bounded in-flight window (paho keys by 16-bit id)."""

    def __init__(self, broker: MosquittoServer, window: int = 200) -> None:
        self._client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4().hex[:10]}",
            protocol=mqtt.MQTTv5,
        )  # fmt: skip
        self._client.max_inflight_messages_set(window)
        self._window = threading.Semaphore(window)
        self._client.on_publish = lambda *_args: self._window.release()
        self._client.connect(broker.host, broker.port)
        self._client.loop_start()

    def publish(self, messages: Sequence[tuple[str, bytes]], qos: int = 1) -> None:
        """Publish all, never more than the window unacknowledged, and wait for the last."""
        infos = []
        for topic, payload in messages:
            if qos and not self._window.acquire(timeout=60):
                raise TimeoutError("publish window did not open")
            infos.append(self._client.publish(topic, payload, qos=qos))
        for info in infos[-1:]:
            info.wait_for_publish(timeout=60)

    def publish_retained(self, topic: str, payload: bytes) -> None:
        self._client.publish(topic, payload, qos=1, retain=True).wait_for_publish(timeout=10)

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()


@contextmanager
def publisher(broker: MosquittoServer, window: int = 200) -> Iterator[Publisher]:
    pub = Publisher(broker, window)
    try:
        yield pub
    finally:
        pub.close()


@dataclass
class RunningWorker:
    worker: Worker
    thread: threading.Thread


@contextmanager
def running_worker(settings: IngestSettings) -> Iterator[Worker]:
    """A worker in a thread of this process, stopped (drained) when the block exits."""
    worker = Worker(settings, PahoTransport(settings), Database(settings.libpq_url))
    thread = threading.Thread(target=worker.run, name=f"worker-{settings.client_id}")
    thread.start()
    try:
        wait_for(worker.ready, "worker connected to broker and database", timeout=30)
        yield worker
    finally:
        worker.stop()
        thread.join(timeout=60)
        assert not thread.is_alive(), "worker did not stop"


def settings_for(
    database_url: str, broker: MosquittoServer, group: str, client_id: str, **overrides: Any
) -> IngestSettings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "mqtt_url": broker.url,
        "client_id": f"svc-{client_id}",
        "share_group": group,
        "session_expiry_s": 120,
        "http_port": 0,
        "sweep_interval_s": 0.2,
        "batch_delay_ms": 10,
        "max_event_age_s": HORIZON_S,
        **overrides,
    }
    return IngestSettings(**values)


def ago(seconds: float) -> datetime:
    return datetime.now(UTC) - timedelta(seconds=seconds)


def http_get(port: int, path: str) -> tuple[int, str]:
    """Status and body of a GET on loopback."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
        return int(response.status), response.read().decode()


@contextmanager
def mqtt_publish(broker: MosquittoServer) -> Iterator[Callable[[Sequence[Outbound]], None]]:
    """Ingest's publish, as the operations job gets it: QoS and retain as asked, acknowledged."""
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=f"svc-ops-{uuid.uuid4().hex[:8]}",
        protocol=mqtt.MQTTv5,
    )  # fmt: skip
    client.connect(broker.host, broker.port)
    client.loop_start()

    def publish(messages: Sequence[Outbound]) -> None:
        for m in messages:
            client.publish(m.topic, m.payload, qos=m.qos, retain=m.retain).wait_for_publish(10)

    try:
        yield publish
    finally:
        client.disconnect()
        client.loop_stop()


def retained_payload(broker: MosquittoServer, topic: str) -> bytes:
    """The retained message of `topic` as a new subscriber sees it (asserted retained)."""
    got: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.on_message = lambda _c, _u, message: got.put(message)
    client.connect(broker.host, broker.port)
    client.loop_start()
    try:
        client.subscribe(topic, qos=1)
        message = got.get(timeout=10)
    finally:
        client.disconnect()
        client.loop_stop()
    assert message.retain
    return bytes(message.payload)
