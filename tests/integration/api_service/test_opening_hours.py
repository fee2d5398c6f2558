"""Drivers and opening hours: open_now and per-kind counts in /lots, the detail and the
availability document; the open_now, kind and available filters; a closed lot's free slots
are offered to nobody (no reservation, no check-in)."""

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from api_service.clock import CLOCK_KEY
from schemas.db import ParkingLot, ParkingSession, Reservation, Slot
from schemas.enums import DetectedStatus, Role, SlotKind
from tests.integration.api_service.conftest import EXAMPLES, Users, problem

pytestmark = pytest.mark.integration

HARBOUR = "harbour-surface"
HOURS = "Mo-Fr 08:00-20:00"  # harbour-surface is in Amsterdam (CET in December)
WEDNESDAY_MIDDAY = datetime(2026, 12, 23, 11, 0, tzinfo=UTC)  # 12:00 local: open
WEDNESDAY_NIGHT = datetime(2026, 12, 23, 21, 0, tzinfo=UTC)  # 22:00 local: closed
THURSDAY_OPENING = "2026-12-24T07:00:00.000Z"  # 08:00 local
NEAR = "lat=52.37&lon=4.9&radius_m=10000"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(app: Flask) -> Clock:
    fake = Clock(WEDNESDAY_NIGHT)
    app.extensions[CLOCK_KEY] = fake
    return fake


@pytest.fixture
def hours(lots: Session) -> Session:
    """harbour-surface open on weekdays 08-20 local; downtown has no hours (always open)."""
    lots.execute(update(ParkingLot).where(ParkingLot.code == HARBOUR).values(opening_hours=HOURS))
    lots.commit()
    return lots


def harbour_kinds() -> dict[str, dict[str, int]]:
    """Free/total per kind of the example harbour lot, every slot free."""
    layout = json.loads((EXAMPLES / "harbour-surface.json").read_text())
    counted = Counter(
        slot.get("kind", "standard")
        for floor in layout["floors"]
        for row in floor["rows"]
        for slot in row["slots"]
    )
    return {kind: {"free": n, "total": n} for kind, n in counted.items()}


def search(client: FlaskClient, query: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/lots?{query}")
    assert response.status_code == 200, response.data
    items: list[dict[str, Any]] = response.get_json()["items"]
    return items


def codes(client: FlaskClient, query: str) -> list[str]:
    return [item["lot_id"] for item in search(client, query)]


def test_lots_show_hours_open_now_and_counts_per_kind(
    client: FlaskClient, hours: Session, clock: Clock
) -> None:
    items = {item["lot_id"]: item for item in search(client, NEAR)}
    harbour, downtown = items[HARBOUR], items["downtown"]
    assert {k: harbour[k] for k in ("opening_hours", "open_now", "next_change", "free")} == {
        "opening_hours": HOURS,
        "open_now": False,
        "next_change": THURSDAY_OPENING,
        "free": 24,  # physical: the slots are free, the lot is closed
    }
    assert harbour["kinds"] == harbour_kinds()
    assert list(harbour["kinds"]) == [k.value for k in SlotKind if k.value in harbour["kinds"]]
    assert (downtown["opening_hours"], downtown["open_now"], downtown["next_change"]) == (
        None,
        True,
        None,
    )
    assert set(downtown["kinds"]) == {"standard", "ev", "accessible", "compact", "motorcycle"}
    assert sum(k["total"] for k in downtown["kinds"].values()) == downtown["total"] == 320


def test_available_and_open_now_leave_out_a_closed_lot(
    client: FlaskClient, hours: Session, clock: Clock
) -> None:
    assert codes(client, f"{NEAR}&available=true") == ["downtown"]
    assert codes(client, f"{NEAR}&open_now=true") == ["downtown"]
    assert codes(client, f"{NEAR}&open_now=false") == [HARBOUR]
    assert codes(client, "open_now=false") == [HARBOUR]  # without a point too
    clock.now = WEDNESDAY_MIDDAY
    assert sorted(codes(client, f"{NEAR}&available=true")) == ["downtown", HARBOUR]
    assert codes(client, f"{NEAR}&open_now=false") == []


def test_kind_filters(client: FlaskClient, hours: Session, clock: Clock) -> None:
    # downtown's ev bays all taken; harbour's free but the lot closed at night.
    hours.execute(
        update(Slot)
        .where(
            Slot.lot_id
            == select(ParkingLot.id).where(ParkingLot.code == "downtown").scalar_subquery(),
            Slot.kind == SlotKind.EV,
        )
        .values(detected_status=DetectedStatus.OCCUPIED)
    )
    hours.commit()
    assert sorted(codes(client, f"{NEAR}&kind=ev")) == ["downtown", HARBOUR]
    assert codes(client, f"{NEAR}&kind=motorcycle") == ["downtown"]
    assert codes(client, f"{NEAR}&kind=ev&available=true") == []
    clock.now = WEDNESDAY_MIDDAY
    assert codes(client, f"{NEAR}&kind=ev&available=true") == [HARBOUR]
    assert codes(client, f"{NEAR}&kind=standard&available=true") == ["downtown", HARBOUR]
    downtown = search(client, f"{NEAR}&kind=ev")[0]
    assert downtown["kinds"]["ev"]["free"] == 0


@pytest.mark.parametrize(
    ("query", "field", "says"),
    [
        ("kind=truck", "kind", "'standard', 'ev', 'accessible', 'compact' or 'motorcycle'"),
        ("kind=EV", "kind", "'ev'"),
        ("open_now=maybe", "open_now", "boolean"),
        ("available=true&open_now=false", "open_now", "lists only lots open now"),
    ],
)
def test_bad_filters_are_400_naming_the_field(
    client: FlaskClient, query: str, field: str, says: str
) -> None:
    response = client.get(f"/api/v1/lots?{query}")
    assert response.status_code == 400
    body = problem(response)
    assert [error["field"] for error in body["errors"]] == [field]
    assert says in body["errors"][0]["message"]


def test_detail_and_availability_say_closed_with_physical_counts(
    client: FlaskClient, hours: Session, clock: Clock
) -> None:
    detail = client.get(f"/api/v1/lots/{HARBOUR}").get_json()
    assert (detail["opening_hours"], detail["open_now"], detail["next_change"]) == (
        HOURS,
        False,
        THURSDAY_OPENING,
    )
    assert detail["kinds"] == harbour_kinds()
    assert detail["counts"]["free"] == 24
    document = client.get(f"/api/v1/lots/{HARBOUR}/availability").get_json()
    assert (document["open"], document["next_change"], document["free"]) == (
        False,
        THURSDAY_OPENING,
        24,
    )
    assert document["kinds"] == harbour_kinds()


def test_availability_turns_open_at_the_opening_time(
    client: FlaskClient, hours: Session, clock: Clock
) -> None:
    url = f"/api/v1/lots/{HARBOUR}/availability"
    closed = client.get(url)
    assert closed.get_json()["open"] is False
    clock.now = datetime.fromisoformat(THURSDAY_OPENING)
    opened = client.get(url, headers={"If-None-Match": closed.headers["ETag"]})
    assert opened.status_code == 200  # the cached closed document expired at the opening
    assert opened.get_json()["open"] is True
    assert opened.get_json()["next_change"] == "2026-12-24T19:00:00.000Z"


def test_no_reservation_or_check_in_at_a_closed_lot(
    client: FlaskClient, hours: Session, users: Users, clock: Clock
) -> None:
    driver = users.headers(Role.DRIVER)
    slot = {"lot_id": HARBOUR, "slot_id": "A02"}
    for url in ("/api/v1/reservations", "/api/v1/sessions"):
        refused = client.post(url, json=slot, headers=driver)
        assert refused.status_code == 409, url
        body = problem(refused)
        assert body["type"] == "/problems/lot-closed"
        assert body["detail"] == (
            f"lot {HARBOUR} is closed now by its opening hours ('{HOURS}') until {THURSDAY_OPENING}"
        )
    assert hours.scalar(select(func.count()).select_from(Reservation)) == 0
    assert hours.scalar(select(func.count()).select_from(ParkingSession)) == 0
    clock.now = WEDNESDAY_MIDDAY
    assert client.post("/api/v1/reservations", json=slot, headers=driver).status_code == 201
