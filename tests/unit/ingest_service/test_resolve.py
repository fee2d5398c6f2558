"""Placing observations in the layout: ids, or the reason a message is dead-lettered."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from ingest_service.decode import Reason
from ingest_service.resolve import Layout, NodeEntry, Placed, Sighting, place, resolve
from schemas.enums import DetectedStatus

T = datetime(2026, 11, 26, 10, tzinfo=UTC)
REGISTERED = T - timedelta(days=1)
HARBOUR = frozenset({"A01", "A02"})
LAYOUT = Layout(
    lots={"harbour": 1, "downtown": 2},
    slots={(1, "A01"): 10, (1, "A02"): 11, (1, "A03"): 12, (2, "L0-A-001"): 20},
    nodes={
        "n1": NodeEntry(1, True, REGISTERED, HARBOUR),
        "n2": NodeEntry(2, True, REGISTERED, frozenset({"L0-A-001"})),
        "off": NodeEntry(1, False, REGISTERED, HARBOUR),
        "mapless": NodeEntry(1, True, REGISTERED, frozenset()),
        "new": NodeEntry(1, True, T + timedelta(minutes=5), HARBOUR),
    },
)
SKEW = timedelta(seconds=60)


def sighting(
    position: int, node: str, lot: str, slot: str, origin: str = "event", seq: int = 1
) -> Sighting:
    return Sighting(
        position, uuid.uuid4(), node, lot, slot, DetectedStatus.FREE, None, T, seq, None, origin
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
        ("n1", "harbour", "A03", Reason.SLOT_NOT_MAPPED),  # the lot's, but not this node's
        ("mapless", "harbour", "A01", Reason.SLOT_NOT_MAPPED),  # no slot map pushed yet
        ("new", "harbour", "A01", Reason.STALE_TIMESTAMP),  # observed before registration
    ],
)
def test_place(node: str, lot: str, slot: str, expected: tuple[int, int] | Reason) -> None:
    result = place(sighting(0, node, lot, slot), LAYOUT, SKEW)
    assert (result if isinstance(result, Reason) else (result.lot_id, result.slot_id)) == expected


def test_a_message_with_unplaceable_slots_is_rejected_once_and_its_other_slots_stored() -> None:
    birth = [sighting(3, "n1", "harbour", s) for s in ("A01", "X1", "X2", "A02")]
    placed, rejected = resolve([sighting(0, "n1", "harbour", "A02"), *birth], LAYOUT, SKEW)
    assert [(p.row.position, p.slot_id) for p in placed] == [(0, 11), (3, 10), (3, 11)]
    assert all(isinstance(p, Placed) for p in placed)
    assert [(r.index, r.reason, r.node_id) for r in rejected] == [(3, Reason.UNKNOWN_SLOT, "n1")]
    assert rejected[0].detail == "no such slot in the lot: harbour/X1, harbour/X2"


def test_registration_time_allows_for_clock_skew_and_spares_births() -> None:
    just_before = LAYOUT.nodes["new"].registered_at - T  # five minutes
    assert isinstance(place(sighting(0, "new", "harbour", "A01"), LAYOUT, just_before), Placed)
    assert isinstance(place(sighting(0, "new", "harbour", "A01", "birth"), LAYOUT, SKEW), Placed)


def test_a_refused_event_keeps_its_seq_for_the_receipt_and_a_birth_does_not() -> None:
    rows = [sighting(0, "n1", "harbour", "A03", seq=41), sighting(1, "n1", "harbour", "A03",
                                                                  "birth", seq=50)]  # fmt: skip
    _, rejected = resolve(rows, LAYOUT, SKEW)
    assert [(r.index, r.reason, r.seq) for r in rejected] == [
        (0, Reason.SLOT_NOT_MAPPED, 41),
        (1, Reason.SLOT_NOT_MAPPED, None),
    ]
