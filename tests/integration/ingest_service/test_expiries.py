"""Overrides and reservations run out by the clock: the sweep republishes the slot's state."""

import queue
import time
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from sqlalchemy import Engine, text

from ingest_service.settings import IngestSettings
from schemas.enums import SlotStatus, StatusSource
from schemas.messages import SlotState
from schemas.topics import slot_state_topic
from tests.integration.ingest_service.support import (
    event,
    occupancy_message,
    publisher,
    rows,
    running_worker,
    scalar,
    wait_for,
)
from tests.support.mosquitto import MosquittoServer
from tests.support.mqtt import TestClient, connected_client

pytestmark = pytest.mark.integration

SLOT = "A12"
STATE = "SELECT status, status_source FROM slots WHERE code = :slot"


def next_state(watcher: TestClient, wanted: tuple[SlotStatus, StatusSource]) -> SlotState:
    """The first retained state on the watched topic with that status and source."""
    deadline = time.monotonic() + 30
    while True:
        try:
            message = watcher.next_message(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            raise TimeoutError(f"no slot state {wanted} published") from None
        state = SlotState.model_validate_json(message.payload)
        if (state.status, state.source) == wanted:
            return state


OVERRIDE_FOR_AN_HOUR = """
    UPDATE slots SET override_status = 'occupied', override_until = now() + interval '1 hour',
        override_reason = 'test', override_set_at = now(), status = 'occupied',
        status_source = 'override', state_version = state_version + 1
    WHERE code = :s
"""


@pytest.fixture
def watched_free_slot(
    engine: Engine,
    mosquitto: MosquittoServer,
    harbour: str,
    node_id: str,
    make_settings: Callable[..., IngestSettings],
) -> Iterator[TestClient]:
    """A worker running, the slot detected free, and a client watching its state topic."""
    with (
        running_worker(make_settings()),
        connected_client(mosquitto) as watcher,
        publisher(mosquitto) as pub,
    ):
        watcher.subscribe(slot_state_topic(harbour, SLOT))
        free = event(node_id, harbour, SLOT, "free", time_now(engine), 1)
        pub.publish([occupancy_message(free)])
        next_state(watcher, (SlotStatus.FREE, StatusSource.DETECTED))
        yield watcher


def time_now(engine: Engine) -> datetime:
    """A second ago by the database's clock (the one the sweep compares with)."""
    value: datetime = scalar(engine, "SELECT now() - interval '1 second'")
    return value


def test_an_expired_override_gives_the_slot_back_to_detection(
    engine: Engine, watched_free_slot: TestClient
) -> None:
    with engine.begin() as conn:  # as the API sets an override
        conn.execute(text(OVERRIDE_FOR_AN_HOUR), {"s": SLOT})
    next_state(watched_free_slot, (SlotStatus.OCCUPIED, StatusSource.OVERRIDE))
    with engine.begin() as conn:  # an hour later: nothing but the clock has changed
        conn.execute(
            text("UPDATE slots SET override_until = now() - interval '1 second' WHERE code = :s"),
            {"s": SLOT},
        )
    next_state(watched_free_slot, (SlotStatus.FREE, StatusSource.DETECTED))
    assert rows(engine, STATE, slot=SLOT) == [("free", "detected")]


def test_a_reservation_shows_when_it_begins_and_goes_when_it_runs_out(
    engine: Engine, watched_free_slot: TestClient
) -> None:
    with engine.begin() as conn:
        user = conn.execute(
            text(
                "INSERT INTO users (email, password_hash, role) "
                "VALUES ('holder@example.test', 'x', 'driver') RETURNING id"
            )
        ).scalar_one()
        # Begins in the past already: the slot still reads free until the sweep sees it.
        conn.execute(
            text(
                "INSERT INTO reservations (user_id, slot_id, lot_id, state, starts_at, "
                "expires_at) SELECT :u, id, lot_id, 'active', now() - interval '1 minute', "
                "now() + interval '1 hour' FROM slots WHERE code = :s"
            ),
            {"u": user, "s": SLOT},
        )
    next_state(watched_free_slot, (SlotStatus.RESERVED, StatusSource.RESERVATION))
    with engine.begin() as conn:  # an hour later
        conn.execute(
            text(
                "UPDATE reservations SET starts_at = now() - interval '2 hours', "
                "expires_at = now() - interval '1 second'"
            )
        )
    next_state(watched_free_slot, (SlotStatus.FREE, StatusSource.DETECTED))
    wait_for(lambda: rows(engine, STATE, slot=SLOT) == [("free", "detected")], "stored state")
