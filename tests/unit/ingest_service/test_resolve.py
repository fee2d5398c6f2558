"""Placing observations in the layout: ids, or the reason a message is dead-lettered."""

import uuid
from datetime import UTC, datetime

import pytest

from ingest_service.decode import Reason
from ingest_service.resolve import Layout, Placed, Sighting, place, resolve
from schemas.enums import DetectedStatus

LAYOUT = Layout(
    lots={"harbour": 1, "downtown": 2},
    slots={(1, "A01"): 10, (1, "A02"): 11, (2, "L0-A-001"): 20},
    nodes={"n1": (1, True), "n2": (2, True), "off": (1, False)},
)
T = datetime(2026, 11, 26, 10, tzinfo=UTC)


def sighting(position: int, node: str, lot: str, slot: str) -> Sighting:
    return Sighting(
        position, uuid.uuid4(), node, lot, slot, DetectedStatus.FREE, None, T, 1, None, "event"
    )


@pytest.mark.parametrize(
    ("node", "lot", "slot", "expected"),
    [
        ("n1", "harbour", "A01", (1, 10)),
        ("n1", "nowhere", "A01", Reason.UNKNOWN_LOT),
        ("ghost", "harbour", "A01", Reason.UNKNOWN_NODE),
        ("off", "harbour", "A01", Reason.UNKNOWN_NODE),  # disabled
        ("n2", "harbour", "A01", Reason.UNKNOWN_NODE),  # registered for another lot
        ("n1", "harbour", "L0-A-001", Reason.UNKNOWN_SLOT),  # another lot's slot
        ("n1", "harbour", "Z99", Reason.UNKNOWN_SLOT),
    ],
)
def test_place(node: str, lot: str, slot: str, expected: tuple[int, int] | Reason) -> None:
    result = place(sighting(0, node, lot, slot), LAYOUT)
    assert (result if isinstance(result, Reason) else (result.lot_id, result.slot_id)) == expected


def test_a_message_with_unplaceable_slots_is_rejected_once_and_its_other_slots_stored() -> None:
    birth = [sighting(3, "n1", "harbour", s) for s in ("A01", "X1", "X2", "A02")]
    placed, rejected = resolve([sighting(0, "n1", "harbour", "A02"), *birth], LAYOUT)
    assert [(p.row.position, p.slot_id) for p in placed] == [(0, 11), (3, 10), (3, 11)]
    assert all(isinstance(p, Placed) for p in placed)
    assert [(r.index, r.reason, r.node_id) for r in rejected] == [(3, Reason.UNKNOWN_SLOT, "n1")]
    assert rejected[0].detail == "no such slot in the lot: harbour/X1, harbour/X2"
