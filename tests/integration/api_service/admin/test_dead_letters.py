"""`GET /admin/dead-letters`: counted repeats, pages in first-arrival order that repeats do
not disturb, and a window that catches a message still recurring."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from schemas.db import DeadLetter
from tests.integration.api_service.admin.conftest import Staff

pytestmark = pytest.mark.integration

DEAD = "/api/v1/admin/dead-letters"
T0 = datetime(2026, 11, 26, 10, tzinfo=UTC)
HOUR = timedelta(hours=1)


def letter(session: Session, payload: bytes, received_at: datetime) -> int:
    row = DeadLetter(
        topic="parking/v1/nodes/cam-x/occupancy",
        payload=payload,
        reason="malformed_json",
        received_at=received_at,
        last_seen_at=received_at,
    )
    session.add(row)
    session.commit()
    return row.id


def repeat(session: Session, row_id: int, times: int, at: datetime) -> None:
    """What the ingest upsert does to a row when its message is refused again."""
    session.execute(
        update(DeadLetter)
        .where(DeadLetter.id == row_id)
        .values(occurrences=DeadLetter.occurrences + times, last_seen_at=at)
    )
    session.commit()


def get(client: FlaskClient, staff: Staff, query: str) -> dict[str, Any]:
    response = client.get(f"{DEAD}?{query}", headers=staff.headers("admin"))
    assert response.status_code == 200, response.data
    body: dict[str, Any] = response.get_json()
    return body


def test_repeats_show_their_count_and_keep_their_place_in_the_pages(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    ids = [letter(lots, b"{%d" % i, T0 + i * HOUR) for i in range(9)]
    first = get(admin_client, staff, "limit=4")
    assert [item["id"] for item in first["items"]] == ids[:4:-1]
    newest = first["items"][0]
    assert (newest["occurrences"], newest["received_at"], newest["last_seen_at"]) == (
        1,
        "2026-11-26T18:00:00.000Z",
        "2026-11-26T18:00:00.000Z",
    )
    # Repeats of a row already shown and of one still to come, and a new message.
    repeat(lots, ids[-1], 2, T0 + 20 * HOUR)
    repeat(lots, ids[1], 5, T0 + 21 * HOUR)
    letter(lots, b"new", T0 + 22 * HOUR)
    seen, cursor = list(first["items"]), first["next_cursor"]
    while cursor:
        page = get(admin_client, staff, f"limit=4&cursor={cursor}")
        seen += page["items"]
        cursor = page["next_cursor"]
    assert [item["id"] for item in seen] == ids[::-1]
    bumped = next(item for item in seen if item["id"] == ids[1])
    assert (bumped["occurrences"], bumped["received_at"], bumped["last_seen_at"]) == (
        6,
        "2026-11-26T11:00:00.000Z",
        "2026-11-27T07:00:00.000Z",
    )


def test_the_window_meets_each_row_from_first_to_last_sighting(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    recurring = letter(lots, b"recurring", T0)
    repeat(lots, recurring, 2, T0 + 2 * HOUR)
    once = letter(lots, b"once", T0 + HOUR)
    late = letter(lots, b"late", T0 + 3 * HOUR)

    def ids(query: str) -> list[int]:
        return [item["id"] for item in get(admin_client, staff, query)["items"]]

    def at(offset: timedelta) -> str:
        return (T0 + offset).isoformat().replace("+00:00", "Z")

    assert ids(f"since={at(90 * timedelta(minutes=1))}") == [late, recurring]
    assert ids(f"until={at(timedelta(minutes=30))}") == [recurring]
    assert ids(f"since={at(HOUR)}&until={at(2 * HOUR)}") == [once, recurring]
    assert ids(f"since={at(150 * timedelta(minutes=1))}&until={at(3 * HOUR)}") == []
