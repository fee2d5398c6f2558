"""`GET /admin/events`: keyset pages over slot events return every row exactly once while
new rows arrive, including a row whose transaction commits after a later one."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.orm import Session

from schemas.db import Slot, SlotEvent
from tests.integration.api_service.admin.conftest import Staff
from tests.integration.api_service.conftest import lot_id, problem

pytestmark = pytest.mark.integration

EVENTS = "/api/v1/admin/events"


class Events:
    """Inserts events for the harbour lot, each in its own connection's transaction."""

    def __init__(self, engine: Engine, session: Session) -> None:
        self.engine = engine
        self.lot = lot_id(session, "harbour-surface")
        self.slots = list(session.scalars(select(Slot.id).where(Slot.lot_id == self.lot)))
        self.seq = 0
        self.made: list[str] = []

    def insert(self, connection: Connection) -> None:
        self.seq += 1
        event_id = uuid.uuid4()
        connection.execute(
            insert(SlotEvent).values(
                event_id=event_id,
                slot_id=self.slots[self.seq % len(self.slots)],
                lot_id=self.lot,
                node_id="cam-1",
                status="occupied",
                seq=self.seq,
                observed_at=datetime(2026, 11, 26, tzinfo=UTC) + timedelta(seconds=self.seq),
            )
        )
        self.made.append(str(event_id))

    def committed(self, n: int) -> None:
        with self.engine.begin() as connection:
            for _ in range(n):
                self.insert(connection)


def page(
    client: FlaskClient, staff: Staff, cursor: str | None, order: str = "arrival"
) -> dict[str, Any]:
    query = f"?lot_id=harbour-surface&limit=7&order={order}" + (
        f"&cursor={cursor}" if cursor else ""
    )
    response = client.get(EVENTS + query, headers=staff.headers("harbour"))
    assert response.status_code == 200, response.data
    body: dict[str, Any] = response.get_json()
    return body


def test_pages_return_every_row_once_while_rows_arrive(
    admin_client: FlaskClient, staff: Staff, engine: Engine, lots: Session
) -> None:
    events = Events(engine, lots)
    events.committed(20)
    seen: list[str] = []
    first = page(admin_client, staff, None)
    seen += [item["event_id"] for item in first["items"]]
    cursor = first["next_cursor"]
    # A transaction takes an id first and commits last; a later one commits meanwhile.
    with engine.connect() as slow:
        slow_tx = slow.begin()
        events.insert(slow)
        events.committed(3)
        for _ in range(3):
            body = page(admin_client, staff, cursor)
            seen += [item["event_id"] for item in body["items"]]
            cursor = body["next_cursor"]
            events.committed(2)
        slow_tx.commit()
    for _ in range(20):  # bounded: 32 rows at most 7 a page
        body = page(admin_client, staff, cursor)
        if not body["items"]:
            break
        seen += [item["event_id"] for item in body["items"]]
        cursor = body["next_cursor"]
    assert len(seen) == len(set(seen)), "a row was returned twice"
    assert sorted(seen) == sorted(events.made), "a row was never returned"


def test_newest_first_pages_back_to_the_oldest(
    admin_client: FlaskClient, staff: Staff, engine: Engine, lots: Session
) -> None:
    events = Events(engine, lots)
    events.committed(16)
    seen: list[str] = []
    body = page(admin_client, staff, None, "newest")
    for _ in range(5):  # bounded: 16 rows at 7 a page
        seen += [item["event_id"] for item in body["items"]]
        if body["next_cursor"] is None:
            break
        body = page(admin_client, staff, body["next_cursor"], "newest")
    assert seen == events.made[::-1]  # newest first, each once, down to the oldest
    assert body["next_cursor"] is None
    # Rows arriving meanwhile lead the next first page.
    events.committed(2)
    first = page(admin_client, staff, None, "newest")["items"]
    assert [item["event_id"] for item in first[:3]] == events.made[:-4:-1]


def test_filters_and_tenants(
    admin_client: FlaskClient, staff: Staff, engine: Engine, lots: Session
) -> None:
    events = Events(engine, lots)
    events.committed(5)
    since = "2026-11-26T00:00:03Z"
    body = admin_client.get(
        f"{EVENTS}?lot_id=harbour-surface&since={since}", headers=staff.headers("admin")
    ).get_json()
    assert len(body["items"]) == 3
    assert {item["lot_id"] for item in body["items"]} == {"harbour-surface"}
    theirs = admin_client.get(EVENTS, headers=staff.headers("city")).get_json()
    assert theirs["items"] == []
    refused = admin_client.get(f"{EVENTS}?lot_id=harbour-surface", headers=staff.headers("city"))
    assert refused.status_code == 403
    bad = admin_client.get(f"{EVENTS}?slot_id=A01", headers=staff.headers("admin"))
    assert problem(bad)["errors"][0]["field"] == "slot_id"
