"""A minimal blocking MQTT 5 client for tests (paho-mqtt 2.x)."""

import queue
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from tests.support.mosquitto import MosquittoServer

TIMEOUT_S = 10


@dataclass(frozen=True)
class Received:
    topic: str
    payload: bytes
    qos: int
    retain: bool


class TestClient:
    """Connect, subscribe, publish and wait for messages, each call blocking until done."""

    __test__ = False  # not a pytest test class

    def __init__(self, client: mqtt.Client) -> None:
        self._client = client
        self.messages: queue.Queue[Received] = queue.Queue()
        client.on_message = self._on_message

    def _on_message(self, _client: mqtt.Client, _userdata: object, msg: mqtt.MQTTMessage) -> None:
        self.messages.put(Received(msg.topic, bytes(msg.payload), msg.qos, bool(msg.retain)))

    def subscribe(self, topic: str, qos: int = 1) -> None:
        granted: queue.Queue[list[ReasonCode]] = queue.Queue()

        def on_subscribe(
            _c: mqtt.Client, _u: object, _mid: int, codes: list[ReasonCode], _p: Properties
        ) -> None:
            granted.put(codes)

        self._client.on_subscribe = on_subscribe
        self._client.subscribe(topic, qos=qos)
        codes = granted.get(timeout=TIMEOUT_S)
        if any(code.is_failure for code in codes):
            raise RuntimeError(f"subscription to {topic!r} refused: {codes}")

    def publish(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False) -> None:
        info = self._client.publish(topic, payload, qos=qos, retain=retain)
        info.wait_for_publish(timeout=TIMEOUT_S)
        if not info.is_published():
            raise TimeoutError(f"publish to {topic!r} not acknowledged within {TIMEOUT_S} s")

    def next_message(self, timeout: float = TIMEOUT_S) -> Received:
        return self.messages.get(timeout=timeout)


@contextmanager
def connected_client(broker: MosquittoServer, client_id: str | None = None) -> Iterator[TestClient]:
    """An MQTT 5 client connected to `broker`, its network loop in a background thread."""
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id or f"test-{uuid.uuid4().hex[:12]}",
        protocol=mqtt.MQTTv5,
    )
    test_client = TestClient(client)
    connected: queue.Queue[ReasonCode] = queue.Queue()
    client.on_connect = lambda _c, _u, _f, code, _p: connected.put(code)
    client.connect(broker.host, broker.port)
    client.loop_start()
    try:
        code = connected.get(timeout=TIMEOUT_S)
        if code.is_failure:
            raise ConnectionError(f"broker refused the connection: {code}")
        yield test_client
    finally:
        client.disconnect()
        client.loop_stop()
