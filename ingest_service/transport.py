"""The message source behind a small interface, and its paho-mqtt (MQTT 5) implementation."""

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from ingest_service.decode import ROUTES
from ingest_service.settings import IngestSettings
from schemas.topics import shared_subscription

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Inbound:
    """One received message; `mid` and `generation` identify it for the acknowledgement."""

    topic: str
    payload: bytes
    qos: int
    mid: int = 0
    generation: int = 0
    received_at: float = 0.0


@dataclass(frozen=True, slots=True)
class Outbound:
    """A message to publish (read-side state or a command)."""

    topic: str
    payload: bytes
    retain: bool = False
    qos: int = 1


class PublishError(Exception):
    """Publishing did not complete (broker unreachable or too slow)."""


class MessageSource(Protocol):
    """What the worker needs from the broker."""

    def start(self, deliver: Callable[[Inbound], None]) -> None:
        """Connect and hand every received message to `deliver` (from another thread)."""

    def ack(self, message: Inbound) -> None:
        """Acknowledge a message to the broker (a no-op for QoS 0)."""

    def publish(self, messages: Sequence[Outbound], timeout: float) -> None:
        """Publish and wait until the broker has accepted all, or raise PublishError."""

    @property
    def connected(self) -> bool:
        """Whether the broker connection is up."""

    def stop(self) -> None:
        """Disconnect cleanly (the broker keeps the session for redelivery)."""


# Unacknowledged outgoing publishes: paho keys them by a 16-bit id (so far below 65,535) and
# ignores the broker's Receive Maximum (so at most max_inflight_messages of broker/).
MAX_OUTGOING_INFLIGHT: Final = 100


class PahoTransport:
    """MQTT 5 with a persistent session, manual acknowledgements and shared subscriptions."""

    def __init__(self, settings: IngestSettings) -> None:
        self._settings = settings
        self._client = self._new_client(settings.client_id, manual_ack=True)
        # Publishing goes over a second connection: the consumer's network thread may be
        # held up handing messages to a full intake (back-pressure), and PUBACKs for the
        # read side must still arrive meanwhile, or publish and intake would wait on each other.
        self._publisher = self._new_client(f"{settings.client_id}-pub", manual_ack=False)
        self._publisher.max_inflight_messages_set(MAX_OUTGOING_INFLIGHT)
        self._lock = threading.Lock()
        self._generation = 0
        self._connected = threading.Event()
        self._publisher_connected = threading.Event()
        self._deliver: Callable[[Inbound], None] | None = None
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._publisher.on_connect = lambda *_: self._publisher_connected.set()
        self._publisher.on_disconnect = lambda *_: self._publisher_connected.clear()

    def _new_client(self, client_id: str, *, manual_ack: bool) -> mqtt.Client:
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=manual_ack,  # consumer: acknowledge only after the batch commits
        )
        broker = self._settings.broker
        if broker.username is not None:
            client.username_pw_set(broker.username, broker.password)
        if broker.tls:
            client.tls_set()
        client.reconnect_delay_set(min_delay=1, max_delay=10)
        return client

    def _connect_properties(self) -> Properties:
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = self._settings.session_expiry_s
        properties.ReceiveMaximum = self._settings.receive_maximum
        return properties

    def start(self, deliver: Callable[[Inbound], None]) -> None:
        """Connect (in the background, retrying) and deliver messages from the network thread."""
        self._deliver = deliver
        broker = self._settings.broker
        self._client.connect_async(
            broker.host,
            broker.port,
            keepalive=self._settings.keepalive_s,
            clean_start=False,  # resume the session: unacknowledged messages come back
            properties=self._connect_properties(),
        )
        self._client.loop_start()
        self._publisher.connect_async(
            broker.host, broker.port, keepalive=self._settings.keepalive_s
        )
        self._publisher.loop_start()

    def _on_connect(
        self,
        client: mqtt.Client,
        _userdata: object,
        _flags: mqtt.ConnectFlags,
        reason: ReasonCode,
        _properties: Properties | None,
    ) -> None:
        if reason.is_failure:
            log.error("broker refused the connection: %s", reason)
            return
        with self._lock:
            # Message ids are per connection: never acknowledge an id from an older one.
            self._generation += 1
        group = self._settings.share_group
        client.subscribe([(shared_subscription(kind, group), 1) for kind in ROUTES])
        self._connected.set()
        log.info("connected to the broker as %s", self._settings.client_id)

    def _on_disconnect(
        self,
        _client: mqtt.Client,
        _userdata: object,
        _flags: mqtt.DisconnectFlags,
        reason: ReasonCode,
        _properties: Properties | None,
    ) -> None:
        self._connected.clear()
        log.warning("disconnected from the broker: %s", reason)

    def _on_message(self, _client: mqtt.Client, _userdata: object, msg: mqtt.MQTTMessage) -> None:
        assert self._deliver is not None  # noqa: S101 - set before the loop starts
        try:
            topic = msg.topic
        except UnicodeDecodeError:  # paho raises on a topic that is not UTF-8
            topic = repr(msg._topic)  # the raw bytes are all there is
        message = Inbound(
            topic, bytes(msg.payload), msg.qos, msg.mid, self._generation, time.time()
        )
        self._deliver(message)

    def ack(self, message: Inbound) -> None:
        """Acknowledge, unless the message came over an earlier connection (it comes again)."""
        if message.qos == 0:
            return
        with self._lock:
            if message.generation == self._generation:
                self._client.ack(message.mid, message.qos)

    def publish(self, messages: Sequence[Outbound], timeout: float) -> None:
        """Publish all and wait for the broker's acknowledgements."""
        if not self._publisher_connected.is_set():
            raise PublishError("not connected to the broker")
        deadline = time.monotonic() + timeout
        infos = [
            self._publisher.publish(m.topic, m.payload, qos=m.qos, retain=m.retain)
            for m in messages
        ]
        for info in infos:
            info.wait_for_publish(timeout=max(0.0, deadline - time.monotonic()))
            if not info.is_published():
                raise PublishError(f"{len(infos)} publishes not acknowledged within {timeout} s")

    @property
    def connected(self) -> bool:
        """Whether the broker connection is up."""
        return self._connected.is_set() and self._publisher_connected.is_set()

    def stop(self) -> None:
        """Disconnect and stop the network thread."""
        for client in (self._client, self._publisher):
            client.disconnect()
            client.loop_stop()
