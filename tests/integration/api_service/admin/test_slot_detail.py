"""A slot for staff: the override in force (none once it has run out) and the slot's stays,
most recently recorded first, paged, without drivers' identities."""

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api_service.clock import CLOCK_KEY
from schemas.db import ParkingSession, Slot, User
from schemas.enums import Role
from tests.integration.api_service.admin.conftest import Staff
from tests.integration.api_service.conftest import lot_id, problem

pytestmark = pytest.mark.integration

SLOT = "/api/v1/admin/slots/harbour-surface/A04"


def test_slot_shows_the_override_in_force(
    admin_app: Flask, admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    plain = admin_client.get(SLOT, headers=staff.headers("harbour"))
    assert plain.status_code == 200, plain.data
    body = plain.get_json()
    assert (body["slot"]["slot_id"], body["slot"]["status"]) == ("A04", "free")
    assert body["override_status"] is None

    until = datetime.now(UTC) + timedelta(minutes=5)
    admin_client.put(
        f"{SLOT}/override",
        json={"status": "closed", "reason": "resurfacing", "until": until.isoformat()},
        headers=staff.headers("harbour"),
    )
    forced = admin_client.get(SLOT, headers=staff.headers("harbour")).get_json()
    assert (forced["override_status"], forced["override_reason"]) == ("closed", "resurfacing")
    assert datetime.fromisoformat(forced["override_until"]) == until.replace(
        microsecond=until.microsecond // 1000 * 1000
    )
    assert forced["slot"]["status"] == "closed"

    admin_app.extensions[CLOCK_KEY] = lambda: until + timedelta(seconds=1)
    lapsed = admin_client.get(SLOT, headers=staff.headers("harbour")).get_json()
    assert lapsed["override_status"] is None
    assert lapsed["slot"]["status"] == "free"


def test_slot_refusals(admin_client: FlaskClient, staff: Staff, lots: Session) -> None:
    assert admin_client.get(SLOT, headers=staff.headers("city")).status_code == 403
    missing = admin_client.get(
        "/api/v1/admin/slots/harbour-surface/Z99", headers=staff.headers("harbour")
    )
    assert missing.status_code == 404
    assert "Z99" in problem(missing)["detail"]
    bad = admin_client.get(f"{SLOT}/sessions?limit=0", headers=staff.headers("harbour"))
    assert bad.status_code == 400
    assert problem(bad)["errors"][0]["field"] == "limit"


def test_sessions_newest_first_in_pages_without_driver_identity(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    harbour = lot_id(lots, "harbour-surface")
    slot = lots.scalar(select(Slot.id).where(Slot.lot_id == harbour, Slot.code == "A04"))
    other = lots.scalar(select(Slot.id).where(Slot.lot_id == harbour, Slot.code == "A05"))
    driver = lots.scalar(select(User.id).where(User.role == Role.DRIVER))
    t0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    for hour in range(5):
        lots.add(
            ParkingSession(
                slot_id=slot,
                lot_id=harbour,
                opened_by="detection",
                user_id=driver if hour == 2 else None,
                started_at=t0 + timedelta(hours=hour),
                ended_at=t0 + timedelta(hours=hour, minutes=30) if hour < 4 else None,
            )
        )
    lots.add(ParkingSession(slot_id=other, lot_id=harbour, opened_by="driver", started_at=t0))
    lots.commit()

    seen: list[dict[str, object]] = []
    cursor = ""
    for _ in range(5):  # bounded: 5 sessions in pages of 2
        page = admin_client.get(
            f"{SLOT}/sessions?limit=2{cursor}", headers=staff.headers("harbour")
        ).get_json()
        seen += page["items"]
        if page["next_cursor"] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"
    starts = [datetime.fromisoformat(str(item["started_at"])) for item in seen]
    assert starts == [t0 + timedelta(hours=h) for h in (4, 3, 2, 1, 0)]
    assert seen[0]["ended_at"] is None
    assert seen[0]["duration_s"] is None
    assert seen[1]["duration_s"] == 1800.0
    assert [item["driver_checked_in"] for item in seen] == [False, False, True, False, False]
    assert all("user_id" not in item for item in seen)
