"""Staff set a lot's opening hours (alone, or in its layout): validated with a precise
message, audited, kept by other edits, and seen by drivers at once."""

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from schemas.db import AuditEntry, ParkingLot
from tests.integration.api_service.admin.conftest import Staff
from tests.integration.api_service.conftest import problem

pytestmark = pytest.mark.integration

LOT = "/api/v1/admin/lots/harbour-surface"
HOURS = "Mo-Sa 07:00-23:00; PH off"


def put_hours(client: FlaskClient, staff: Staff, hours: Any) -> Any:
    return client.put(
        f"{LOT}/opening-hours", json={"opening_hours": hours}, headers=staff.headers("harbour")
    )


def stored(session: Session) -> str | None:
    session.expire_all()
    query = select(ParkingLot.opening_hours).where(ParkingLot.code == "harbour-surface")
    return session.scalar(query)


def test_set_audit_keep_and_clear(admin_client: FlaskClient, staff: Staff, lots: Session) -> None:
    response = put_hours(admin_client, staff, f"  {HOURS} ")
    assert response.status_code == 200, response.data
    body = response.get_json()
    assert (body["lot_id"], body["opening_hours"], body["changed"]) == (
        "harbour-surface",
        HOURS,
        True,
    )
    assert isinstance(body["open_now"], bool)
    assert stored(lots) == HOURS
    entry = lots.scalars(select(AuditEntry).where(AuditEntry.action == "lot.opening_hours")).one()
    assert (entry.actor_id, entry.entity_id) == (staff.ids["harbour"], "harbour-surface")
    assert entry.before is not None
    assert entry.before["opening_hours"] is None
    assert entry.after == {"opening_hours": HOURS}
    assert put_hours(admin_client, staff, HOURS).get_json()["changed"] is False

    # Other edits go through the exported layout: the hours stay.
    renamed = admin_client.patch(LOT, json={"name": "Harbour"}, headers=staff.headers("harbour"))
    assert renamed.status_code == 200, renamed.data
    assert stored(lots) == HOURS
    layout = admin_client.get(f"{LOT}/layout", headers=staff.headers("harbour")).get_json()
    assert layout["opening_hours"] == HOURS

    cleared = put_hours(admin_client, staff, None)
    assert cleared.get_json()["open_now"] is True
    assert stored(lots) is None


def test_drivers_see_the_new_hours_at_once(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    availability = "/api/v1/lots/harbour-surface/availability"
    assert admin_client.get(availability).get_json()["open"] is True
    assert put_hours(admin_client, staff, "off").status_code == 200
    document = admin_client.get(availability).get_json()
    assert (document["open"], document["next_change"]) == (False, None)


@pytest.mark.parametrize(
    ("hours", "says"),
    [
        (
            "Mo-Fx 08:00-20:00",
            "invalid opening hours 'Mo-Fx 08:00-20:00': expected wday at column 4",
        ),
        ("", "must not be empty"),
        (42, "string"),
    ],
)
def test_bad_hours_are_400_and_change_nothing(
    admin_client: FlaskClient, staff: Staff, lots: Session, hours: Any, says: str
) -> None:
    response = put_hours(admin_client, staff, hours)
    assert response.status_code == 400
    body = problem(response)
    assert [error["field"] for error in body["errors"]] == ["opening_hours"]
    assert says in body["errors"][0]["message"]
    assert stored(lots) is None


def test_the_layout_carries_the_hours(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    headers = staff.headers("harbour")
    layout = admin_client.get(f"{LOT}/layout", headers=headers).get_json()
    assert layout["opening_hours"] is None
    bad = admin_client.put(
        f"{LOT}/layout", json=layout | {"opening_hours": "24/8"}, headers=headers
    )
    assert bad.status_code == 400
    assert problem(bad)["errors"][0]["field"] == "opening_hours"
    good = admin_client.put(
        f"{LOT}/layout", json=layout | {"opening_hours": HOURS}, headers=headers
    )
    assert good.status_code == 200, good.data
    assert good.get_json()["changed"] is True
    assert stored(lots) == HOURS
    # A file without hours keeps the lot's; null makes it always open again.
    without = {key: value for key, value in layout.items() if key != "opening_hours"}
    kept = admin_client.put(f"{LOT}/layout", json=without, headers=headers)
    assert (kept.status_code, kept.get_json()["changed"]) == (200, False)
    assert stored(lots) == HOURS
    cleared = admin_client.put(f"{LOT}/layout", json=layout, headers=headers)
    assert (cleared.status_code, cleared.get_json()["changed"]) == (200, True)
    assert stored(lots) is None
