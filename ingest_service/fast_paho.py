"""paho-mqtt's client, tuned for consuming thousands of small messages a second.

paho's network thread cost the worker more CPU per message than validation and SQL
together (profile in bench/ingest.py): a select() and three recv() calls per packet, a
Properties object, an MQTTMessage with its own Condition, a log line formatted and a topic
matched against per-filter callbacks we never register; and a wake-up plus a send() per
PUBACK. This subclass reads the socket in 64 KiB chunks and hands paho its packets from
that buffer, decodes QoS 0/1 PUBLISH packets itself into `(topic, payload, qos, mid)` for
`on_raw_message` (QoS 2, which ingest never subscribes to, stays with paho), and writes a
batch's PUBACKs in one send. It overrides private methods of paho-mqtt 2.x (the `ingest`
extra pins the range); the import fails loudly if they move.
"""

import struct
from collections.abc import Callable, Iterable
from typing import Any, Final, TypeAlias

import paho.mqtt.client as mqtt
from paho.mqtt import __version__ as paho_version
from paho.mqtt.enums import MQTTErrorCode, MQTTProtocolVersion
from paho.mqtt.exception import MalformedPacket

_PRIVATE_API: Final = ("_sock_recv", "_packet_queue", "_handle_publish", "_reset_sockets")
_missing = [name for name in _PRIVATE_API if not hasattr(mqtt.Client, name)]
if _missing:  # pragma: no cover - a paho upgrade outside the pinned range
    raise ImportError(f"paho-mqtt {paho_version} lacks {_missing}: see fast_paho's docstring")

CHUNK: Final = 65_536
# PUBACK with reason "success" and no properties: the 4-byte form of MQTT 3.1.1 and 5.
_PUBACK: Final = struct.Struct("!BBH")

RawHandler: TypeAlias = Callable[[bytes, bytes, int, int], None]
"""Receives (topic bytes, payload, qos, packet id) from the network thread."""


def split_publish(header: int, packet: bytes | bytearray, v5: bool) -> tuple[bytes, bytes, int]:
    """(topic, payload, packet id) of a QoS 0 or 1 PUBLISH's variable header and payload.

    MQTT 5 properties are skipped (ingest uses none); lengths that overrun the packet raise
    MalformedPacket, which makes paho drop the connection as for its own decoding errors.
    """
    view = memoryview(packet)
    end = 2 + int.from_bytes(view[0:2], "big")
    topic = bytes(view[2:end])
    mid = 0
    if header & 0x06:
        mid, end = int.from_bytes(view[end : end + 2], "big"), end + 2
    if v5:
        length, shift = 0, 0
        while True:  # the properties length: a variable byte integer of 1-4 bytes
            if end >= len(view) or shift > 21:
                raise MalformedPacket("bad properties length in PUBLISH")
            byte = view[end]
            length, shift, end = length | (byte & 0x7F) << shift, shift + 7, end + 1
            if not byte & 0x80:
                break
        end += length
    if end > len(view):
        raise MalformedPacket("PUBLISH shorter than its lengths")
    return topic, bytes(view[end:]), mid


class FastClient(mqtt.Client):
    """A paho client with buffered reads, direct delivery and batched acknowledgements."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._chunk = b""
        self._chunk_pos = 0
        self._chunk_sock: object = None
        self.on_raw_message: RawHandler | None = None

    def buffered(self) -> int:
        """Bytes read from the socket that paho has not taken yet."""
        return len(self._chunk) - self._chunk_pos

    def _sock_recv(self, bufsize: int) -> bytes:
        if self._chunk_sock is not self._sock:  # a new connection: nothing carries over
            self._chunk, self._chunk_pos, self._chunk_sock = b"", 0, self._sock
        if self._chunk_pos >= len(self._chunk):
            # Raises BlockingIOError when the socket is drained, as paho expects.
            self._chunk, self._chunk_pos = super()._sock_recv(CHUNK), 0
            if not self._chunk:
                return b""  # the broker closed the connection
        start = self._chunk_pos
        self._chunk_pos = min(start + bufsize, len(self._chunk))
        return self._chunk[start : self._chunk_pos]

    def loop_read(self, max_packets: int = 1) -> MQTTErrorCode:
        """Read packets until the buffer is empty: select() cannot see what it holds."""
        rc = super().loop_read(max_packets)
        while rc == MQTTErrorCode.MQTT_ERR_SUCCESS and self._sock is not None and self.buffered():
            rc = super().loop_read(max_packets)
        return rc

    def _handle_publish(self) -> MQTTErrorCode:
        header: int = self._in_packet["command"]
        qos = (header & 0x06) >> 1
        handler = self.on_raw_message
        if handler is None or qos > 1:
            return super()._handle_publish()
        v5 = self._protocol == MQTTProtocolVersion.MQTTv5
        topic, payload, mid = split_publish(header, self._in_packet["packet"], v5)
        handler(topic, payload, qos, mid)
        if qos == 1 and not self._manual_ack:
            return self._send_puback(mid)
        return MQTTErrorCode.MQTT_ERR_SUCCESS

    def close(self) -> None:
        """Close every socket, after `loop_stop`. paho leaves its wake-up socket pair to
        `__del__`, which may run after the sockets' own finalizers (a ResourceWarning) when
        the client is collected in a cycle, as with callbacks bound to its owner."""
        self._reset_sockets()

    def ack_many(self, mids: Iterable[int]) -> None:
        """Acknowledge QoS 1 messages (manual_ack) with one write for all of them."""
        packet = b"".join([_PUBACK.pack(mqtt.PUBACK, 2, mid) for mid in mids])
        if packet:
            self._packet_queue(mqtt.PUBACK, packet, 0, 0)
