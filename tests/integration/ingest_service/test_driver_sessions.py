"""Sessions shared with the drivers' API: whoever opened the open session, it is the stay."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from ingest_service.settings import IngestSettings
from schemas.messages import OccupancyEvent
from tests.integration.ingest_service.support import (
    T0,
    event,
    occupancy_message,
    publisher,
    rows,
    running_worker,
    scalar,
    wait_for,
)
from tests.support.mosquitto import MosquittoServer

pytestmark = pytest.mark.integration

SLOT = "A11"
SESSIONS = """
    SELECT p.opened_by, p.user_id, p.started_at, p.ended_at, p.duration_s, p.end_event_id
    FROM parking_sessions p JOIN slots s ON s.id = p.slot_id WHERE s.code = :slot
    ORDER BY p.started_at
"""


def a_driver(engine: Engine) -> int:
    with engine.begin() as conn:
        user_id: int = conn.execute(
            text(
                "INSERT INTO users (email, password_hash, role) "
                "VALUES ('driver@example.test', 'x', 'driver') RETURNING id"
            )
        ).scalar_one()
    return user_id


def open_session(engine: Engine, opened_by: str, user_id: int | None, at: datetime) -> None:
    """What the API writes at a check-in (or detection at an occupied transition)."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO parking_sessions (slot_id, lot_id, user_id, opened_by, started_at) "
                "SELECT id, lot_id, :user_id, :opened_by, :at FROM slots WHERE code = :slot"
            ),
            {"user_id": user_id, "opened_by": opened_by, "at": at, "slot": SLOT},
        )


def send_one_by_one(
    engine: Engine, mosquitto: MosquittoServer, events: list[OccupancyEvent]
) -> None:
    with publisher(mosquitto) as pub:
        for e in events:
            pub.publish([occupancy_message(e)])
            wait_for(
                lambda e=e: scalar(  # type: ignore[misc]
                    engine, "SELECT count(*) FROM slot_events WHERE event_id = :id", id=e.event_id
                ),
                "event stored",
            )


def test_a_driver_s_check_in_is_the_stay_and_a_free_transition_ends_it(
    engine: Engine,
    mosquitto: MosquittoServer,
    harbour: str,
    node_id: str,
    make_settings: Callable[..., IngestSettings],
) -> None:
    driver = a_driver(engine)
    free_before = event(node_id, harbour, SLOT, "free", T0 - timedelta(seconds=30), 1)
    occupied = event(node_id, harbour, SLOT, "occupied", T0 + timedelta(seconds=10), 2)
    free = event(node_id, harbour, SLOT, "free", T0 + timedelta(seconds=70), 3)
    occupied_again = event(node_id, harbour, SLOT, "occupied", T0 + timedelta(seconds=90), 4)
    with running_worker(make_settings()):
        send_one_by_one(engine, mosquitto, [free_before])
        open_session(engine, "driver", driver, T0)  # the driver checks in, then the car is seen
        send_one_by_one(engine, mosquitto, [occupied, free, occupied_again])
    assert rows(engine, SESSIONS, slot=SLOT) == [
        ("driver", driver, T0, T0 + timedelta(seconds=70), 70.0, free.event_id),
        ("detection", None, T0 + timedelta(seconds=90), None, None, None),
    ]


def test_an_occupied_transition_never_opens_a_second_session_beside_a_driver_s(
    engine: Engine,
    mosquitto: MosquittoServer,
    harbour: str,
    node_id: str,
    make_settings: Callable[..., IngestSettings],
) -> None:
    driver = a_driver(engine)
    open_session(engine, "driver", driver, T0)
    events = [
        event(node_id, harbour, SLOT, status, T0 + timedelta(seconds=s), i + 1)
        for i, (status, s) in enumerate([("occupied", 5), ("unknown", 6), ("occupied", 7)])
    ]
    with running_worker(make_settings()):
        send_one_by_one(engine, mosquitto, events)
    assert rows(engine, SESSIONS, slot=SLOT) == [("driver", driver, T0, None, None, None)]


def test_a_detected_session_a_driver_joined_is_ended_by_a_free_transition(
    engine: Engine,
    mosquitto: MosquittoServer,
    harbour: str,
    node_id: str,
    make_settings: Callable[..., IngestSettings],
) -> None:
    driver = a_driver(engine)
    occupied = event(node_id, harbour, SLOT, "occupied", T0, 1)
    free = event(node_id, harbour, SLOT, "free", T0 + timedelta(seconds=45), 2)
    with running_worker(make_settings()):
        send_one_by_one(engine, mosquitto, [occupied])
        with engine.begin() as conn:  # the API's check-in joins the detected stay
            conn.execute(text("UPDATE parking_sessions SET user_id = :u"), {"u": driver})
        send_one_by_one(engine, mosquitto, [free])
    assert rows(engine, SESSIONS, slot=SLOT) == [
        ("detection", driver, T0, T0 + timedelta(seconds=45), 45.0, free.event_id),
    ]


def test_a_free_observed_before_a_check_in_does_not_end_it(
    engine: Engine,
    mosquitto: MosquittoServer,
    harbour: str,
    node_id: str,
    make_settings: Callable[..., IngestSettings],
) -> None:
    driver = a_driver(engine)
    occupied = event(node_id, harbour, SLOT, "occupied", T0 - timedelta(seconds=60), 1)
    late_free = event(node_id, harbour, SLOT, "free", T0 - timedelta(seconds=20), 2)
    with running_worker(make_settings()):
        send_one_by_one(engine, mosquitto, [occupied])
        with engine.begin() as conn:  # the detected stay ended elsewhere; the driver checks in
            conn.execute(text("UPDATE parking_sessions SET ended_at = started_at"))
        open_session(engine, "driver", driver, T0)
        send_one_by_one(engine, mosquitto, [late_free])
    assert rows(engine, SESSIONS, slot=SLOT)[-1] == ("driver", driver, T0, None, None, None)
