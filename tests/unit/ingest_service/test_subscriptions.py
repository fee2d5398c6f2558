"""SUBACK reason codes: which subscriptions the broker did not grant at QoS 1."""

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.reasoncodes import ReasonCode

from ingest_service.transport import refused_subscriptions

FILTERS = ["$share/ingest/a", "$share/ingest/b"]


def codes(*values: int) -> list[ReasonCode]:
    return [ReasonCode(PacketTypes.SUBACK, identifier=v) for v in values]


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
