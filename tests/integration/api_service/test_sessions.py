"""Parking sessions: check in, exit with duration, joining the detected stay, pagination."""

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from api_service.clock import CLOCK_KEY
from schemas.db import ParkingSession, Reservation
from schemas.enums import ReservationState, Role
from tests.integration.api_service.conftest import Users, lot_id, problem, slot_id

pytestmark = pytest.mark.integration


def at(code: str) -> dict[str, str]:
    return {"lot_id": "harbour-surface", "slot_id": code}


@pytest.fixture
def clock(app: Flask) -> list[datetime]:
    now = [datetime.now(UTC).replace(microsecond=0)]
    app.extensions[CLOCK_KEY] = lambda: now[0]
    return now


def test_park_and_exit_with_duration(
    client: FlaskClient, lots: Session, users: Users, clock: list[datetime]
) -> None:
    driver = users.headers(Role.DRIVER)
    parked = client.post("/api/v1/sessions", json=at("A05"), headers=driver)
    assert parked.status_code == 201, parked.data
    stay = parked.get_json()
    assert (stay["opened_by"], stay["ended_at"], stay["duration_s"]) == ("driver", None, None)
    twice = client.post("/api/v1/sessions", json=at("A06"), headers=driver)
    assert problem(twice)["type"] == "/problems/already-parked"

    clock[0] += timedelta(minutes=90)
    ended = client.post(f"/api/v1/sessions/{stay['id']}/end", headers=driver)
    assert ended.status_code == 200
    assert ended.get_json()["duration_s"] == 5400.0
    again = client.post(f"/api/v1/sessions/{stay['id']}/end", headers=driver)
    assert problem(again)["type"] == "/problems/session-ended"
    row = lots.get(ParkingSession, stay["id"])
    assert row is not None
    assert row.duration_s == 5400.0


def test_check_in_joins_the_detected_stay(client: FlaskClient, lots: Session, users: Users) -> None:
    slot = slot_id(lots, "harbour-surface", "A07")
    detected = ParkingSession(
        slot_id=slot, lot_id=lot_id(lots, "harbour-surface"),
        opened_by="detection", started_at=datetime.now(UTC) - timedelta(minutes=3),
    )  # fmt: skip
    lots.add(detected)
    lots.commit()
    driver = users.headers(Role.DRIVER)
    joined = client.post("/api/v1/sessions", json=at("A07"), headers=driver).get_json()
    assert (joined["id"], joined["opened_by"]) == (detected.id, "detection")
    lots.refresh(detected)
    assert detected.user_id == users.ids[Role.DRIVER]
    other = users.driver_headers(users.add_driver("late@x.org"))
    taken = client.post("/api/v1/sessions", json=at("A07"), headers=other)
    assert problem(taken)["type"] == "/problems/slot-occupied"
    stays = lots.scalars(select(ParkingSession.id).where(ParkingSession.slot_id == slot)).all()
    assert stays == [detected.id]  # one row for the stay, whoever saw it first


def test_arriving_at_my_reservation_fulfils_it(
    client: FlaskClient, lots: Session, users: Users
) -> None:
    driver = users.headers(Role.DRIVER)
    other = users.driver_headers(users.add_driver("other@x.org"))
    reservation = client.post("/api/v1/reservations", json=at("A08"), headers=driver).get_json()
    refused = client.post("/api/v1/sessions", json=at("A08"), headers=other)
    assert problem(refused)["type"] == "/problems/slot-reserved"
    parked = client.post("/api/v1/sessions", json=at("A08"), headers=driver).get_json()
    assert parked["reservation_id"] == reservation["id"]
    stored = lots.get(Reservation, reservation["id"])
    assert stored is not None
    lots.refresh(stored)
    assert stored.state == ReservationState.FULFILLED
    mine = client.get("/api/v1/reservations", headers=driver).get_json()["items"]
    assert mine[0]["state"] == "fulfilled"


def test_closed_slot_and_unknown_session(client: FlaskClient, lots: Session, users: Users) -> None:
    lots.execute(
        text("UPDATE slots SET closed_at = now(), closed_reason = 'works' WHERE code = 'B01'")
    )
    lots.commit()
    driver = users.headers(Role.DRIVER)
    closed = client.post("/api/v1/sessions", json=at("B01"), headers=driver)
    assert problem(closed)["type"] == "/problems/slot-closed"
    assert client.post("/api/v1/sessions/999999/end", headers=driver).status_code == 404
    other = users.driver_headers(users.add_driver("thief@x.org"))
    mine = client.post("/api/v1/sessions", json=at("B02"), headers=driver).get_json()
    assert client.post(f"/api/v1/sessions/{mine['id']}/end", headers=other).status_code == 404
    huge = client.post(f"/api/v1/sessions/{2**64}/end", headers=driver)
    assert huge.status_code == 400
    assert problem(huge)["errors"][0]["field"] == "id"


def test_list_mine_pages_newest_first(
    client: FlaskClient, lots: Session, users: Users, clock: list[datetime]
) -> None:
    driver = users.headers(Role.DRIVER)
    made = []
    for code in ["A10", "A11", "A12", "B10", "B11"]:
        stay = client.post("/api/v1/sessions", json=at(code), headers=driver).get_json()
        clock[0] += timedelta(minutes=10)
        client.post(f"/api/v1/sessions/{stay['id']}/end", headers=driver)
        made.append(stay["id"])
    pages, cursor = [], None
    for _ in range(5):
        suffix = f"&cursor={cursor}" if cursor else ""
        page = client.get(f"/api/v1/sessions?limit=2{suffix}", headers=driver).get_json()
        pages.append([item["id"] for item in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    flat = [sid for page in pages for sid in page]
    assert flat == sorted(made, reverse=True)
    assert [len(page) for page in pages][:3] == [2, 2, 1]
    assert all(item["duration_s"] == 600.0 for item in client.get(
        "/api/v1/sessions?limit=100", headers=driver).get_json()["items"])  # fmt: skip
    assert client.get("/api/v1/sessions?limit=1000", headers=driver).status_code == 400
    assert client.get("/api/v1/sessions?cursor=abc", headers=driver).status_code == 400
