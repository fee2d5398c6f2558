"""The node's MQTT link (paho-mqtt 2.x, MQTT 5): sessions, birth and will, replay, heartbeat.

One supervisor thread owns everything stateful: it connects (a fresh client per
connection, with the will for this connection's `bdseq`), publishes the birth, replays the
outbox through a bounded window, applies cloud messages and sends heartbeats. paho's
callbacks only put what happened on queues and wake it up: `on_publish` runs while paho
holds its outgoing-message lock, so it must not take ours.

Delivery: a PUBACK only frees a place in the window. An event leaves the outbox when the
cloud's receipt covers it; every connection replays the outbox from its start, and when the
receipt has not moved for `resend_after_s` (doubling while that brings nothing) while events
wait, the window starts over.
"""

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import MQTTErrorCode
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions

from pi_node.backoff import Backoff
from pi_node.core import NodeCore, Reaction
from pi_node.outbox import Outbox
from pi_node.settings import NodeSettings
from pi_node.window import Window
from schemas.broker_url import BrokerAddress
from schemas.errors import TopicError
from schemas.messages import NodeDeath, to_payload
from schemas.mqtt_client import new_client
from schemas.topics import NODE_READS, NodeTopic, NodeTopicKind, node_topic, parse_topic

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 10.0
GOODBYE_TIMEOUT_S = 2.0
STOP_POLL_S = 0.25  # how soon a stop request is noticed while idle
MAX_BACKOFF = 8  # re-sending without a receipt waits at most this many quiet intervals

Health = Callable[[], tuple[float, bool]]
"""Frames analysed per second and whether the camera works, for the heartbeat."""


@dataclass(frozen=True, slots=True)
class LinkOptions:
    """The connection settings a link needs (a slice of `NodeSettings`)."""

    broker: BrokerAddress
    client_id: str
    keepalive_s: int = 30
    max_inflight: int = 64
    heartbeat_s: float = 30.0
    resend_after_s: float = 5.0
    reconnect: Backoff = field(default_factory=lambda: Backoff(0.5, 30.0))
    tls_ca_file: Path | None = None

    @classmethod
    def from_settings(cls, settings: NodeSettings, node_id: str) -> "LinkOptions":
        """Options for node `node_id` from the environment settings."""
        return cls(
            broker=settings.broker(),
            client_id=settings.client_id or node_id,
            keepalive_s=settings.keepalive_s,
            max_inflight=settings.max_inflight,
            heartbeat_s=settings.heartbeat_s,
            resend_after_s=settings.resend_after_s,
            reconnect=Backoff(settings.reconnect_min_s, settings.reconnect_max_s),
            tls_ca_file=settings.tls_ca_file,
        )


class _Session:
    """One connection: its client, bdseq and what paho's thread reported."""

    def __init__(self, client: mqtt.Client, bdseq: int, wake: threading.Event) -> None:
        self.client = client
        self.bdseq = bdseq
        self.settled = threading.Event()  # CONNACK or failure arrived
        self.up = False
        self.lost = threading.Event()
        self.acks: queue.SimpleQueue[tuple[int, ReasonCode]] = queue.SimpleQueue()
        self.inbox: queue.SimpleQueue[tuple[NodeTopicKind, bytes]] = queue.SimpleQueue()
        self._wake = wake

    def on_connect(
        self, _c: mqtt.Client, _u: object, _f: object, code: ReasonCode, _p: Properties | None
    ) -> None:
        self.up = not code.is_failure
        if not self.up:
            log.error("broker refused the connection: %s", code)
            self.lost.set()
        self.settled.set()
        self._wake.set()

    def on_disconnect(
        self, _c: mqtt.Client, _u: object, _f: object, code: ReasonCode, _p: Properties | None
    ) -> None:
        self.lost.set()
        self.settled.set()
        self._wake.set()

    def on_publish(
        self, _c: mqtt.Client, _u: object, mid: int, code: ReasonCode, _p: Properties
    ) -> None:
        self.acks.put((mid, code))
        self._wake.set()

    def on_message(self, _c: mqtt.Client, _u: object, message: mqtt.MQTTMessage) -> None:
        try:
            parsed = parse_topic(message.topic)
        except TopicError as exc:
            log.warning("ignored message: %s", exc)
            return
        if isinstance(parsed, NodeTopic):
            self.inbox.put((parsed.kind, bytes(message.payload)))
            self._wake.set()

    def close(self, goodbye: bytes | None, status_topic: str) -> None:
        """Say goodbye (retained death) if still connected, then stop the client."""
        if self.up and not self.lost.is_set() and goodbye is not None:
            info = self.client.publish(status_topic, goodbye, qos=1, retain=True)
            info.wait_for_publish(GOODBYE_TIMEOUT_S)
        self.client.disconnect()
        self.client.loop_stop()


class MqttLink:
    """Keeps a node connected and its outbox flowing; `run` until `stop` is set."""

    def __init__(self, core: NodeCore, outbox: Outbox, options: LinkOptions, health: Health):
        self._core = core
        self._outbox = outbox
        self._options = options
        self._health = health
        self._wake = threading.Event()
        self.connected = threading.Event()
        node_id = core.node_id
        self._topics = {kind: node_topic(node_id, kind) for kind in NodeTopicKind}
        core.on_append = self._wake.set

    def wake(self) -> None:
        """Ask the supervisor to look at the outbox and queues now."""
        self._wake.set()

    def run(self, stop: threading.Event) -> None:
        """Connect, serve, reconnect with backoff; returns once `stop` is set."""
        failures = 0
        while not stop.is_set():
            session = self._connect()
            if session is None:
                failures += 1
                stop.wait(self._options.reconnect.delay(failures))
                continue
            failures = 0
            try:
                self._serve(session, stop)
            finally:
                self.connected.clear()
                goodbye = to_payload(NodeDeath(state="offline", bdseq=session.bdseq))
                session.close(
                    goodbye if stop.is_set() else None, self._topics[NodeTopicKind.STATUS]
                )
            if not stop.is_set():
                log.warning("connection to the broker lost; reconnecting")

    def _connect(self) -> _Session | None:
        options = self._options
        bdseq = self._outbox.next_bdseq()
        client = new_client(
            options.broker,
            options.client_id,
            ca_file=options.tls_ca_file,
            reconnect_on_failure=False,  # we reconnect ourselves, with a new will
        )
        session = _Session(client, bdseq, self._wake)
        will = to_payload(NodeDeath(state="offline", bdseq=bdseq))
        client.will_set(self._topics[NodeTopicKind.STATUS], will, qos=1, retain=True)
        # Our window bounds events; the margin leaves room for birth and goodbye.
        client.max_inflight_messages_set(options.max_inflight + 4)
        client.on_connect = session.on_connect
        client.on_disconnect = session.on_disconnect
        client.on_publish = session.on_publish
        client.on_message = session.on_message
        broker = options.broker
        try:
            client.connect(broker.host, broker.port, options.keepalive_s, clean_start=True)
        except OSError as exc:
            log.warning("cannot reach broker %s:%d: %s", broker.host, broker.port, exc)
            return None
        client.loop_start()
        if not session.settled.wait(CONNECT_TIMEOUT_S) or not session.up:
            session.close(None, self._topics[NodeTopicKind.STATUS])
            return None
        log.info(
            "connected to %s:%d as %s (bdseq %d)",
            broker.host,
            broker.port,
            options.client_id,
            bdseq,
        )
        return session

    def _serve(self, session: _Session, stop: threading.Event) -> None:
        client = session.client
        qos1 = SubscribeOptions(qos=1)
        client.subscribe([(self._topics[k], qos1) for k in NODE_READS])
        self._publish_birth(session)
        self.connected.set()
        window = Window(self._options.max_inflight)  # a new connection replays from the start
        next_beat = time.monotonic()
        progress = _Progress(time.monotonic(), self._outbox.confirmed)
        while not stop.is_set() and not session.lost.is_set():
            self._wake.clear()
            self._settle_acks(session, window)
            self._apply_inbox(session)
            self._fill(session, window)
            held = len(self._outbox)
            waited = progress.stalled(
                time.monotonic(),
                confirmed=self._outbox.confirmed,
                held=held,
                quiet_s=self._options.resend_after_s,
            )
            if waited is not None:
                log.warning("no receipt for %.0f s: sending %d held events again", waited, held)
                window.cursor = 0
            if time.monotonic() >= next_beat:
                self._heartbeat(session)
                next_beat = time.monotonic() + self._options.heartbeat_s
            self._wake.wait(min(STOP_POLL_S, max(0.0, next_beat - time.monotonic())))

    def _publish_birth(self, session: _Session) -> None:
        topic = self._topics[NodeTopicKind.STATUS]
        session.client.publish(topic, self._core.birth(session.bdseq), qos=1, retain=True)

    def _heartbeat(self, session: _Session) -> None:
        fps, camera_ok = self._health()
        payload = self._core.heartbeat(fps, camera_ok, cpu_temperature())
        session.client.publish(self._topics[NodeTopicKind.HEARTBEAT], payload, qos=0)

    def _settle_acks(self, session: _Session, window: Window) -> None:
        """Free the window; the event itself waits for the cloud's receipt, unless refused."""
        refused: list[int] = []
        while not session.acks.empty():
            mid, code = session.acks.get_nowait()
            row = window.acked(mid)
            if row is not None and code.is_failure:
                # e.g. not authorised or too large: resending cannot help, keep going
                log.error("broker rejected buffered event (row %d): %s; dropped", row, code)
                refused.append(row)
        self._outbox.remove(refused)

    def _apply_inbox(self, session: _Session) -> None:
        while not session.inbox.empty():
            kind, payload = session.inbox.get_nowait()
            if self._core.handle(kind, payload) is Reaction.REBIRTH:
                self._publish_birth(session)

    def _fill(self, session: _Session, window: Window) -> None:
        """Publish buffered events after the window's cursor, as far as the window allows."""
        if window.room() <= 0:
            return
        topic = self._topics[NodeTopicKind.OCCUPANCY]
        for pending in self._outbox.pending(window.cursor, window.room()):
            info = session.client.publish(topic, pending.payload, qos=1)
            if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                return  # not connected any more; this row is replayed on the next session
            window.sent(info.mid, pending.row_id)


@dataclass(slots=True)
class _Progress:
    """When the receipt last moved, and how long to wait before sending held events again.

    The wait doubles while re-sending brings no receipt (ingest may just be slow, e.g. with
    PostgreSQL down: re-sending then only adds load), up to MAX_BACKOFF times the quiet
    interval, and starts over once the receipt moves.
    """

    since: float
    confirmed: int
    backoff: int = 1

    def stalled(self, now: float, *, confirmed: int, held: int, quiet_s: float) -> float | None:
        """How long the receipt has not moved while events are held, when that is long
        enough to send them again (the broker may have lost them); else None."""
        if held == 0 or confirmed != self.confirmed:  # nothing to wait for, or progress
            self.since, self.confirmed, self.backoff = now, confirmed, 1
            return None
        waited = now - self.since
        if waited < quiet_s * self.backoff:
            return None
        self.since, self.backoff = now, min(self.backoff * 2, MAX_BACKOFF)
        return waited


def cpu_temperature(path: Path = Path("/sys/class/thermal/thermal_zone0/temp")) -> float | None:
    """The SoC temperature in degrees Celsius where the kernel exposes it (a Pi does)."""
    try:
        return round(int(path.read_text().strip()) / 1000.0, 1)
    except (OSError, ValueError):
        return None
