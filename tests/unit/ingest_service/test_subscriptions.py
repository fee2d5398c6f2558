"""SUBACK reason codes: which subscriptions the broker did not grant at QoS 1."""

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.reasoncodes import ReasonCode

from ingest_service.transport import refused_subscriptions, refused_unsubscriptions

FILTERS = ["$share/ingest/a", "$share/ingest/b"]


def codes(*values: int, packet: int = PacketTypes.SUBACK) -> list[ReasonCode]:
    return [ReasonCode(packet, identifier=v) for v in values]


@pytest.mark.parametrize(
    ("reason_codes", "refused"),
    [
        (codes(1, 1), []),
        (codes(2, 1), []),  # QoS 2 granted is more than we asked: fine
        (codes(1, 0x87), [("$share/ingest/b", "Not authorized")]),
        (codes(0x80, 0x87), [("$share/ingest/a", "Unspecified error"),
                             ("$share/ingest/b", "Not authorized")]),
        (codes(0, 1), [("$share/ingest/a", "Granted QoS 0")]),  # downgraded: not at-least-once
        (codes(0x9E, 1), [("$share/ingest/a", "Shared subscription not supported")]),
    ],
)  # fmt: skip
def test_every_reason_code_is_checked(
    reason_codes: list[ReasonCode], refused: list[tuple[str, str]]
) -> None:
    assert refused_subscriptions(FILTERS, reason_codes) == refused


def test_a_suback_with_the_wrong_number_of_codes_refuses_everything() -> None:
    refused = refused_subscriptions(FILTERS, codes(1))
    assert [f for f, _ in refused] == FILTERS
    assert all("1 reason codes for 2 filters" in reason for _, reason in refused)


@pytest.mark.parametrize(
    ("values", "refused"),
    [
        ((0, 0), []),
        ((0, 0x11), []),  # no subscription existed: an earlier UNSUBSCRIBE or a broker restart
        ((0x87, 0), [("$share/ingest/a", "Not authorized")]),
        ((0, 0x80), [("$share/ingest/b", "Unspecified error")]),
    ],
)
def test_unsuback_codes(values: tuple[int, ...], refused: list[tuple[str, str]]) -> None:
    assert refused_unsubscriptions(FILTERS, codes(*values, packet=PacketTypes.UNSUBACK)) == refused


def test_an_unsuback_with_the_wrong_number_of_codes_refuses_everything() -> None:
    refused = refused_unsubscriptions(FILTERS, codes(0, packet=PacketTypes.UNSUBACK))
    assert [reason for _, reason in refused] == ["UNSUBACK has 1 reason codes for 2 filters"] * 2
