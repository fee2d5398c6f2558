"""Reservations: one holder per slot under concurrency (PostgreSQL decides), expiry, cancel."""

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from api_service.clock import CLOCK_KEY
from schemas.db import Reservation
from schemas.enums import ReservationState, Role
from tests.integration.api_service.conftest import Users, problem, slot_id

pytestmark = pytest.mark.integration

SLOT = {"lot_id": "harbour-surface", "slot_id": "A02"}


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(app: Flask) -> FakeClock:
    fake = FakeClock()
    app.extensions[CLOCK_KEY] = fake
    return fake


def availability(client: FlaskClient) -> dict[str, int]:
    body = client.get("/api/v1/lots/harbour-surface/availability").get_json()
    return {key: body[key] for key in ("free", "reserved")}


def test_reserve_counts_as_reserved_then_expires_without_a_job(
    client: FlaskClient, lots: Session, users: Users, clock: FakeClock
) -> None:
    driver = users.headers(Role.DRIVER)
    created = client.post("/api/v1/reservations", json=SLOT, headers=driver)
    assert created.status_code == 201, created.data
    body = created.get_json()
    assert body["state"] == "active"
    hold = datetime.fromisoformat(body["expires_at"]) - datetime.fromisoformat(body["starts_at"])
    assert hold == timedelta(minutes=15)
    assert availability(client) == {"free": 23, "reserved": 1}
    slot = client.get("/api/v1/slots/harbour-surface/A02").get_json()
    assert (slot["status"], slot["source"]) == ("reserved", "reservation")

    clock.now += timedelta(minutes=15)  # nothing runs in between: time alone ends the hold
    assert availability(client) == {"free": 24, "reserved": 0}
    mine = client.get("/api/v1/reservations", headers=driver).get_json()["items"]
    assert [r["state"] for r in mine] == ["expired"]
    stored = lots.scalar(select(Reservation.state))
    assert stored == ReservationState.ACTIVE  # untouched row; expiry is read, not written
    again = client.post("/api/v1/reservations", json=SLOT, headers=driver)
    assert again.status_code == 201


def test_cancel_and_ownership(client: FlaskClient, lots: Session, users: Users) -> None:
    driver, other = users.headers(Role.DRIVER), users.driver_headers(users.add_driver("o@x.org"))
    rid = client.post("/api/v1/reservations", json=SLOT, headers=driver).get_json()["id"]
    assert client.post("/api/v1/reservations", json=SLOT, headers=other).status_code == 409
    assert client.delete(f"/api/v1/reservations/{rid}", headers=other).status_code == 404
    cancelled = client.delete(f"/api/v1/reservations/{rid}", headers=driver)
    assert cancelled.status_code == 200
    assert cancelled.get_json()["state"] == "cancelled"
    twice = client.delete(f"/api/v1/reservations/{rid}", headers=driver)
    assert problem(twice)["type"] == "/problems/reservation-over"
    assert availability(client)["reserved"] == 0
    assert client.post("/api/v1/reservations", json=SLOT, headers=other).status_code == 201


def test_one_reservation_per_driver_and_only_free_slots(
    client: FlaskClient, lots: Session, users: Users
) -> None:
    driver = users.headers(Role.DRIVER)
    assert client.post("/api/v1/reservations", json=SLOT, headers=driver).status_code == 201
    other_slot = {"lot_id": "harbour-surface", "slot_id": "A03"}
    limit = client.post("/api/v1/reservations", json=other_slot, headers=driver)
    assert problem(limit)["type"] == "/problems/reservation-limit"
    lots.execute(text("UPDATE slots SET detected_status = 'occupied' WHERE code = 'A04'"))
    lots.commit()
    second = users.driver_headers(users.add_driver("second@x.org"))
    busy = {"lot_id": "harbour-surface", "slot_id": "A04"}
    assert problem(client.post("/api/v1/reservations", json=busy, headers=second))["type"] == (
        "/problems/slot-not-free"
    )
    unknown = {"lot_id": "harbour-surface", "slot_id": "Z99"}
    assert client.post("/api/v1/reservations", json=unknown, headers=second).status_code == 404


def test_concurrent_attempts_have_exactly_one_winner(
    app: Flask, lots: Session, users: Users
) -> None:
    drivers = [users.driver_headers(users.add_driver(f"racer{n}@x.org")) for n in range(8)]
    start = threading.Barrier(len(drivers))
    codes: list[int] = []

    def attempt(headers: dict[str, str]) -> None:
        client = app.test_client()
        start.wait(timeout=10)
        codes.append(client.post("/api/v1/reservations", json=SLOT, headers=headers).status_code)

    threads = [threading.Thread(target=attempt, args=(h,)) for h in drivers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert Counter(codes) == {201: 1, 409: len(drivers) - 1}
    active = lots.scalars(
        select(Reservation).where(Reservation.state == ReservationState.ACTIVE)
    ).all()
    assert len(active) == 1


def test_the_exclusion_constraint_decides_a_true_race(
    app: Flask, engine: Engine, lots: Session, users: Users
) -> None:
    """A rival's uncommitted hold is invisible to the API's check; PostgreSQL still refuses."""
    rival = users.add_driver("rival@x.org")
    target = slot_id(lots, "harbour-surface", "A02")
    lot = lots.scalar(text("SELECT id FROM parking_lots WHERE code = 'harbour-surface'"))
    result: list[str] = []
    with engine.connect() as holder:
        holder.execute(
            text(
                "INSERT INTO reservations (user_id, slot_id, lot_id, state, starts_at, expires_at)"
                " VALUES (:u, :s, :l, 'active', now(), now() + interval '15 minutes')"
            ),
            {"u": rival, "s": target, "l": lot},
        )
        headers = users.headers(Role.DRIVER)

        def reserve() -> None:
            response = app.test_client().post("/api/v1/reservations", json=SLOT, headers=headers)
            result.append(response.get_json()["type"])

        worker = threading.Thread(target=reserve)
        worker.start()
        _wait_for_lock_wait(engine)
        holder.commit()
        worker.join(timeout=30)
    assert result == ["/problems/slot-taken"]  # the constraint's verdict, not Python's
    assert lots.scalar(select(Reservation.user_id).where(Reservation.slot_id == target)) == rival


def _wait_for_lock_wait(engine: Engine) -> None:
    """Until some backend waits on a lock (the API's insert behind the rival's), bounded."""
    with engine.connect() as watcher:
        for _ in range(2000):
            waiting = watcher.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            )
            if waiting:
                return
            watcher.execute(text("SELECT pg_sleep(0.005)"))
            watcher.rollback()  # statistics views are snapshotted per transaction
    raise AssertionError("the API's insert never waited on the rival's reservation")
