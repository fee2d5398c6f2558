"""The message source behind a small interface, and its paho-mqtt (MQTT 5) implementation."""

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from ingest_service.decode import ROUTES
from ingest_service.fast_paho import FastClient
from ingest_service.settings import IngestSettings
from schemas.mqtt_client import new_client
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

    def ack(self, messages: Sequence[Inbound]) -> None:
        """Acknowledge messages to the broker (a no-op for QoS 0)."""

    def publish(self, messages: Sequence[Outbound], timeout: float) -> None:
        """Publish and wait until the broker has accepted all, or raise PublishError."""

    @property
    def connected(self) -> bool:
        """Whether the broker connection is up."""

    @property
    def subscribed(self) -> bool:
        """Whether the broker granted every subscription on the current connection."""

    @property
    def unsubscribed(self) -> bool:
        """Retiring: whether the broker confirmed, on the current connection, that it routes
        nothing new to this session."""

    def stop(self, *, forget_session: bool = False) -> None:
        """Disconnect cleanly: the broker keeps the session for redelivery, or forgets it."""


def refused_subscriptions(
    filters: Sequence[str], reason_codes: Sequence[ReasonCode]
) -> list[tuple[str, str]]:
    """The (filter, reason) pairs of a SUBACK that did not grant QoS 1.

    A failure code (an ACL refusing `$share/...`, say) and a grant downgraded to QoS 0 both
    break at-least-once delivery; a SUBACK answering a different number of filters is a
    protocol error, reported against every filter.
    """
    if len(reason_codes) != len(filters):
        return _miscounted("SUBACK", filters, reason_codes)
    return [
        (f, str(rc))
        for f, rc in zip(filters, reason_codes, strict=True)
        if rc.is_failure or rc.value < 1
    ]


def refused_unsubscriptions(
    filters: Sequence[str], reason_codes: Sequence[ReasonCode]
) -> list[tuple[str, str]]:
    """The (filter, reason) pairs of an UNSUBACK that failed.

    "No subscription existed" is a success here: the UNSUBSCRIBE of an earlier connection
    did its work, or a broker restart dropped the $share subscriptions (Mosquitto 2.0.11).
    """
    if len(reason_codes) != len(filters):
        return _miscounted("UNSUBACK", filters, reason_codes)
    return [(f, str(rc)) for f, rc in zip(filters, reason_codes, strict=True) if rc.is_failure]


def _miscounted(
    packet: str, filters: Sequence[str], reason_codes: Sequence[ReasonCode]
) -> list[tuple[str, str]]:
    detail = f"{packet} has {len(reason_codes)} reason codes for {len(filters)} filters"
    return [(f, detail) for f in filters]


# Unacknowledged outgoing publishes: paho keys them by a 16-bit id (so far below 65,535) and
# ignores the broker's Receive Maximum (so at most max_inflight_messages of broker/).
MAX_OUTGOING_INFLIGHT: Final = 100


class PahoTransport:
    """MQTT 5 with a persistent session, manual acknowledgements and shared subscriptions.

    `retiring`: resume the session of a removed worker to drain it; every connection
    unsubscribes from the shared subscriptions instead of subscribing, and Mosquitto (2.0.11
    checked) goes on delivering the messages it had already queued for the session.
    """

    def __init__(self, settings: IngestSettings, *, retiring: bool = False) -> None:
        self._settings = settings
        self._retiring = retiring
        self._client = self._new_client(settings.client_id, manual_ack=True)
        # Publishing goes over a second connection: the consumer's network thread may be
        # held up handing messages to a full intake (back-pressure), and PUBACKs for the
        # read side must still arrive meanwhile, or publish and intake would wait on each other.
        self._publisher = self._new_client(f"{settings.client_id}-pub", manual_ack=False)
        self._publisher.max_inflight_messages_set(MAX_OUTGOING_INFLIGHT)
        self._lock = threading.Lock()
        self._generation = 0
        self._connected = threading.Event()
        self._subscribed = threading.Event()
        # (generation, SUBSCRIBE or UNSUBSCRIBE packet id) awaiting its SUBACK or UNSUBACK.
        self._pending_request: tuple[int, int] | None = None
        self._unsubscribed = threading.Event()
        self.subscription_errors: list[tuple[str, str]] = []
        """The refusals of the last SUBACK (empty once every subscription is granted)."""
        self._publisher_connected = threading.Event()
        self._deliver: Callable[[Inbound], None] | None = None
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_raw_message = self._on_raw_message
        self._client.on_subscribe = self._on_reply
        self._client.on_unsubscribe = self._on_reply
        self._publisher.on_connect = lambda *_: self._publisher_connected.set()
        self._publisher.on_disconnect = lambda *_: self._publisher_connected.clear()

    def _new_client(self, client_id: str, *, manual_ack: bool) -> FastClient:
        client = new_client(
            self._settings.broker,
            client_id,
            client_class=FastClient,
            manual_ack=manual_ack,  # consumer: acknowledge only after the batch commits
        )
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
            generation = self._generation
        self._subscribed.clear()
        self._unsubscribed.clear()
        self._connected.set()
        log.info("connected to the broker as %s", self._settings.client_id)
        # Every connection subscribes anew, session present or not: Mosquitto 2.0.11 does not
        # restore $share subscriptions from its persistence file after a restart. A retiring
        # one unsubscribes anew: a lost UNSUBACK leaves us unsure the first one took effect.
        self._request(generation)

    @property
    def _filters(self) -> list[str]:
        return [shared_subscription(kind, self._settings.share_group) for kind in ROUTES]

    def _request(self, generation: int) -> None:
        """SUBSCRIBE (retiring: UNSUBSCRIBE) the shared filters on connection `generation`;
        `_on_reply` checks the answer."""
        with self._lock:
            if generation != self._generation or not self._connected.is_set():
                return  # a newer connection asks for itself
            if self._retiring:
                result, mid = self._client.unsubscribe(self._filters)
            else:
                result, mid = self._client.subscribe([(f, 1) for f in self._filters])
            if result == mqtt.MQTT_ERR_SUCCESS and mid is not None:
                self._pending_request = (generation, mid)
                return
        log.warning("(un)subscribing failed (%s); the next connection retries", result)

    def _on_reply(
        self,
        _client: mqtt.Client,
        _userdata: object,
        mid: int,
        reason_codes: list[ReasonCode],
        _properties: Properties | None,
    ) -> None:
        """The SUBACK or UNSUBACK of `_request`: done, or refused and asked again later."""
        with self._lock:
            if self._pending_request != (self._generation, mid):
                return  # the reply to an older connection's request
            self._pending_request = None
            generation = self._generation
        if self._retiring:
            refused, done = refused_unsubscriptions(self._filters, reason_codes), self._unsubscribed
        else:
            refused, done = refused_subscriptions(self._filters, reason_codes), self._subscribed
            self.subscription_errors = refused
        action = "unsubscribe" if self._retiring else "subscribe"
        if not refused:
            done.set()
            log.info("%s done: %s", action, ", ".join(self._filters))
            return
        for topic_filter, reason in refused:
            # Not ready, and loudly so: a worker that receives nothing must not look healthy.
            log.error("the broker refused to %s %r: %s", action, topic_filter, reason)
        # Asked again later: an operator may fix the ACL while we run.
        retry = threading.Timer(self._settings.resubscribe_s, self._request, (generation,))
        retry.daemon = True
        retry.start()

    def _on_disconnect(
        self,
        _client: mqtt.Client,
        _userdata: object,
        _flags: mqtt.DisconnectFlags,
        reason: ReasonCode,
        _properties: Properties | None,
    ) -> None:
        self._connected.clear()
        self._subscribed.clear()
        self._unsubscribed.clear()
        log.warning("disconnected from the broker: %s", reason)

    def _on_raw_message(self, topic: bytes, payload: bytes, qos: int, mid: int) -> None:
        assert self._deliver is not None  # noqa: S101 - set before the loop starts
        try:
            name = topic.decode()
        except UnicodeDecodeError:
            name = repr(topic)  # a dead letter: the raw bytes are all there is
        self._deliver(Inbound(name, payload, qos, mid, self._generation, time.time()))

    def ack(self, messages: Sequence[Inbound]) -> None:
        """Acknowledge, except messages of an earlier connection (they come again)."""
        with self._lock:
            generation = self._generation
            self._client.ack_many(
                m.mid for m in messages if m.qos == 1 and m.generation == generation
            )

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
            try:
                info.wait_for_publish(timeout=max(0.0, deadline - time.monotonic()))
            except (RuntimeError, ValueError) as exc:  # the connection dropped since the check
                raise PublishError(str(exc)) from exc
            if not info.is_published():
                raise PublishError(f"{len(infos)} publishes not acknowledged within {timeout} s")

    @property
    def connected(self) -> bool:
        """Whether the broker connection is up."""
        return self._connected.is_set() and self._publisher_connected.is_set()

    @property
    def subscribed(self) -> bool:
        """Whether the broker granted every subscription on the current connection."""
        return self._subscribed.is_set()

    @property
    def unsubscribed(self) -> bool:
        """Retiring: whether the broker confirmed the unsubscribe on the current connection."""
        return self._unsubscribed.is_set()

    def stop(self, *, forget_session: bool = False) -> None:
        """Disconnect and stop the network thread; `forget_session`: the broker drops the
        session, with anything still queued in it (MQTT 5: Session Expiry Interval 0)."""
        properties = None
        if forget_session:
            properties = Properties(PacketTypes.DISCONNECT)  # type: ignore[no-untyped-call]
            properties.SessionExpiryInterval = 0
        result = self._client.disconnect(properties=properties)
        if forget_session and result != mqtt.MQTT_ERR_SUCCESS:
            # The session stays until it expires, but holds no subscription: nothing new waits.
            log.warning("could not tell the broker to forget the session: %s", result)
        self._client.loop_stop()
        self._publisher.disconnect()
        self._publisher.loop_stop()
        for client in (self._client, self._publisher):
            client.close()
