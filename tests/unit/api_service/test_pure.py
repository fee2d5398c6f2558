"""Small pure decisions: reservation state over time, the availability document, OpenAPI."""

from datetime import UTC, datetime, timedelta

import pytest

from api_service.availability import strong_etag
from api_service.openapi import _non_null
from api_service.services.reservations import state_at
from schemas.availability import build_availability
from schemas.enums import ReservationState

T = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("stored", "now", "state"),
    [
        (ReservationState.ACTIVE, T - timedelta(seconds=1), ReservationState.ACTIVE),
        (ReservationState.ACTIVE, T, ReservationState.EXPIRED),
        (ReservationState.CANCELLED, T + timedelta(hours=1), ReservationState.CANCELLED),
        (ReservationState.FULFILLED, T - timedelta(hours=1), ReservationState.FULFILLED),
    ],
)
def test_reservation_state_at(
    stored: ReservationState, now: datetime, state: ReservationState
) -> None:
    assert state_at(stored, T, now) is state


def test_availability_document_adds_up() -> None:
    rows = [
        (0, "Ground", "A", "standard", "free", 3),
        (0, "Ground", "A", "standard", "occupied", 2),
        (0, "Ground", "B", None, None, 0),  # an empty row still appears
        (1, "First", "A", "standard", "closed", 1),
        (1, "First", "A", "standard", "reserved", 4),
    ]
    doc = build_availability("lot-1", rows, T)
    assert (doc.total, doc.free, doc.occupied, doc.reserved, doc.closed) == (10, 3, 2, 4, 1)
    assert [(f.level, f.total, [r.name for r in f.rows]) for f in doc.floors] == [
        (0, 5, ["A", "B"]),
        (1, 5, ["A"]),
    ]
    assert doc.floors[0].rows[1].total == 0


def test_strong_etag_is_quoted_and_content_bound() -> None:
    assert strong_etag(b"a") != strong_etag(b"b")
    assert strong_etag(b"a").startswith('"')
    assert strong_etag(b"a").endswith('"')


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (
            {"anyOf": [{"type": "number"}, {"type": "null"}], "default": None},
            {"type": "number", "default": None},
        ),
        ({"type": "integer"}, {"type": "integer"}),
        (
            {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]},
            {"anyOf": [{"type": "string"}, {"type": "integer"}]},
        ),
    ],
)
def test_query_parameters_drop_null(schema: dict[str, object], expected: dict[str, object]) -> None:
    assert _non_null(schema) == expected
