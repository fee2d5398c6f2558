"""The effective-status precedence, case by case."""

from datetime import UTC, datetime, timedelta

import pytest

from schemas.enums import DetectedStatus, OverrideStatus, SlotStatus, StatusSource
from schemas.status import SlotFacts, effective_status

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
LATER, EARLIER = NOW + timedelta(minutes=5), NOW - timedelta(seconds=1)
OCCUPIED, FREE = DetectedStatus.OCCUPIED, DetectedStatus.FREE

CASES = {
    "detection when nothing else applies": (
        SlotFacts(detected=FREE),
        (SlotStatus.FREE, StatusSource.DETECTED),
    ),
    "dead node hides detection": (
        SlotFacts(detected=FREE, node_alive=False),
        (SlotStatus.UNKNOWN, StatusSource.DETECTED),
    ),
    "active reservation beats detection and a dead node": (
        SlotFacts(detected=FREE, reserved_until=LATER, node_alive=False),
        (SlotStatus.RESERVED, StatusSource.RESERVATION),
    ),
    "expired reservation no longer counts": (
        SlotFacts(detected=FREE, reserved_until=EARLIER),
        (SlotStatus.FREE, StatusSource.DETECTED),
    ),
    "reservation ending exactly now has ended": (
        SlotFacts(detected=OCCUPIED, reserved_until=NOW),
        (SlotStatus.OCCUPIED, StatusSource.DETECTED),
    ),
    "override beats reservation": (
        SlotFacts(detected=FREE, override=OverrideStatus.OCCUPIED, reserved_until=LATER),
        (SlotStatus.OCCUPIED, StatusSource.OVERRIDE),
    ),
    "override without expiry lasts": (
        SlotFacts(detected=OCCUPIED, override=OverrideStatus.FREE),
        (SlotStatus.FREE, StatusSource.OVERRIDE),
    ),
    "expired override gives detection back": (
        SlotFacts(detected=OCCUPIED, override=OverrideStatus.FREE, override_until=EARLIER),
        (SlotStatus.OCCUPIED, StatusSource.DETECTED),
    ),
    "closure beats everything": (
        SlotFacts(detected=FREE, closed=True, override=OverrideStatus.FREE, reserved_until=LATER),
        (SlotStatus.CLOSED, StatusSource.ADMIN),
    ),
    "override to closed": (
        SlotFacts(detected=FREE, override=OverrideStatus.CLOSED, override_until=LATER),
        (SlotStatus.CLOSED, StatusSource.OVERRIDE),
    ),
}


@pytest.mark.parametrize(("facts", "expected"), CASES.values(), ids=CASES.keys())
def test_effective_status(facts: SlotFacts, expected: tuple[SlotStatus, StatusSource]) -> None:
    assert effective_status(facts, NOW) == expected
