"""The availability document: free/total per slot kind and the lot's open state."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from schemas.availability import build_availability
from schemas.enums import SlotKind
from schemas.messages import KindCounts
from schemas.opening_hours import OpenState

T = datetime(2026, 12, 23, 21, 0, tzinfo=UTC)
ROWS = [
    (0, "Ground", "A", "motorcycle", "free", 1),
    (0, "Ground", "A", "ev", "occupied", 2),
    (0, "Ground", "A", "ev", "free", 1),
    (0, "Ground", "B", None, None, 0),  # an empty row counts for no kind
    (1, "First", "A", "standard", "closed", 3),
    (1, "First", "A", "ev", "reserved", 1),
]


def test_counts_per_kind_in_kind_order() -> None:
    document = build_availability("lot-1", ROWS, T)
    assert document.kinds == {
        SlotKind.STANDARD: KindCounts(free=0, total=3),
        SlotKind.EV: KindCounts(free=1, total=4),
        SlotKind.MOTORCYCLE: KindCounts(free=1, total=1),
    }
    assert list(document.model_dump(mode="json")["kinds"]) == ["standard", "ev", "motorcycle"]
    assert (document.open, document.next_change) == (True, None)


def test_a_closed_lot_keeps_its_physical_counts() -> None:
    opens = datetime(2026, 12, 24, 7, 0, tzinfo=UTC)
    document = build_availability("lot-1", ROWS, T, OpenState(open=False, next_change=opens))
    assert (document.open, document.next_change, document.free) == (False, opens, 2)


def test_free_cannot_exceed_total() -> None:
    with pytest.raises(ValidationError, match="free = 3 exceeds total = 2"):
        KindCounts(free=3, total=2)
