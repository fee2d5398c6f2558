"""Decoding PUBLISH packets the way the broker sends them (QoS 0 and 1, MQTT 5)."""

import pytest
from paho.mqtt.exception import MalformedPacket

from ingest_service.fast_paho import split_publish

QOS0, QOS1 = 0x30, 0x32


def publish(topic: bytes, payload: bytes, mid: int | None, properties: bytes = b"\x00") -> bytes:
    """The variable header and payload of a PUBLISH (after the fixed header)."""
    head = len(topic).to_bytes(2, "big") + topic
    if mid is not None:
        head += mid.to_bytes(2, "big")
    return head + properties + payload


@pytest.mark.parametrize(
    ("header", "packet", "expected"),
    [
        (QOS1, publish(b"a/b", b'{"x":1}', 513), (b"a/b", b'{"x":1}', 513)),
        (QOS0, publish(b"a/b", b"hi", None), (b"a/b", b"hi", 0)),
        (QOS1, publish(b"t", b"", 7), (b"t", b"", 7)),
        # Properties are skipped, whatever their length (here a 2-byte varint: 200 bytes).
        (QOS1, publish(b"t", b"p", 1, b"\xc8\x01" + b"\x26" * 200), (b"t", b"p", 1)),
        (QOS1, publish("é/ü".encode(), b"p", 2), ("é/ü".encode(), b"p", 2)),
    ],
)
def test_split_publish(header: int, packet: bytes, expected: tuple[bytes, bytes, int]) -> None:
    assert split_publish(header, packet, v5=True) == expected


def test_split_publish_without_properties_for_mqtt_3() -> None:
    assert split_publish(QOS1, publish(b"t", b"p", 9, b""), v5=False) == (b"t", b"p", 9)


@pytest.mark.parametrize(
    "packet",
    [
        publish(b"topic", b"", 1)[:4],  # shorter than its topic length
        publish(b"t", b"", 1, b"\xff\xff\xff\xff\x01"),  # a properties length of 5 bytes
        publish(b"t", b"", 1, b"\x10"),  # properties longer than the packet
    ],
)
def test_a_malformed_publish_raises(packet: bytes) -> None:
    with pytest.raises(MalformedPacket):
        split_publish(QOS1, packet, v5=True)
