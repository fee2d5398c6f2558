"""Dates at the ends of the calendar: a 400 where a window cannot be served, never a 500."""

import uuid
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from psycopg import sql
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from api_service.clock import CLOCK_KEY
from schemas.db import ParkingSession, SlotEvent
from schemas.enums import Role
from tests.integration.api_service.conftest import Users, lot_id, problem, slot_id

pytestmark = pytest.mark.integration

STATS = "/api/v1/admin/stats/occupancy?lot_id=harbour-surface"
LAST = "9999-12-31T23:59:59.999Z"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("&from=9999-12-30&to=9999-12-31", "from,to"),  # no offset
        ("&from=9999-12-31T00:00:00Z&to=9999-12-31T23:59:59.999Z&bucket=1d", "to"),
        ("&from=9999-12-31T23:00:00Z&to=9999-12-31T23:59:00Z&bucket=1h", "to"),
        ("&from=9999-12-31T23:58:00Z&to=9999-12-31T23:59:59.999Z&bucket=5m", "to"),
        ("&from=9999-12-31T00:00:00Z&to=9999-12-31T12:00:00Z&bucket=1d", "to"),
        ("&from=0001-01-01T00:00:00%2B01:00&to=0001-01-02T00:00:00Z", "from"),  # before year 1
        ("&from=9999-12-31T23:00:00-01:00&to=9999-12-31T23:59:00Z", "from"),  # after 9999
        ("&from=0001-01-01T00:00:00Z&to=9999-12-31T00:00:00Z&bucket=1d", "bucket"),
    ],
)
def test_windows_that_cannot_be_served_are_400(
    client: FlaskClient, users: Users, lots: Session, query: str, field: str
) -> None:
    response = client.get(STATS + query, headers=users.headers(Role.ADMIN))
    assert response.status_code == 400, response.data
    assert [e["field"] for e in problem(response)["errors"]] == field.split(",")


@pytest.mark.parametrize(
    "query",
    [
        "&from=9999-12-30T00:00:00Z&to=9999-12-31T00:00:00Z",
        "&from=9999-12-30T00:00:00Z&to=9999-12-31T00:00:00Z&bucket=1d",
        "&from=9999-12-31T23:00:00Z&to=9999-12-31T23:55:00Z&bucket=5m",
        "&from=0001-01-01T00:00:00Z&to=0001-01-02T00:00:00Z&bucket=1h",
    ],
)
def test_windows_at_the_edges_that_fit_are_served(
    client: FlaskClient, users: Users, lots: Session, query: str
) -> None:
    response = client.get(STATS + query, headers=users.headers(Role.ADMIN))
    assert response.status_code == 200, response.data


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/admin/events?since=0001-01-01T00:00:00Z&until={LAST}",
        f"/api/v1/admin/events?since={LAST}",
        f"/api/v1/admin/audit?since=0001-01-01T00:00:00Z&until={LAST}",
        f"/api/v1/admin/dead-letters?since=0001-01-01T00:00:00Z&until={LAST}",
    ],
)
def test_other_date_filters_take_the_whole_calendar(
    client: FlaskClient, users: Users, lots: Session, url: str
) -> None:
    response = client.get(url, headers=users.headers(Role.ADMIN))
    assert response.status_code == 200, response.data
    beyond = client.get(
        url.replace("0001-01-01T00:00:00Z", "0001-01-01T00:00:00%2B01:00").replace(
            LAST, "9999-12-31T23:59:59-01:00"
        ),
        headers=users.headers(Role.ADMIN),
    )
    assert beyond.status_code == 400, beyond.data
    problem(beyond)


def _set_database_time_zone(database_url: str, zone: str) -> None:
    engine: Engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            name = make_url(database_url).database
            statement = sql.SQL("ALTER DATABASE {} SET timezone = {}").format(
                sql.Identifier(str(name)), sql.Literal(zone)
            )
            connection.exec_driver_sql(statement.as_string(None))
    finally:
        engine.dispose()


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12"])  # +14:00 and -12:00
def test_a_server_time_zone_does_not_push_timestamps_off_the_calendar(
    app: Flask, users: Users, lots: Session, database_url: str, zone: str
) -> None:
    # Occupancy counts only up to now: the clock stands at the calendar's last hour, so the
    # stay in year 9999 is history too.
    app.extensions[CLOCK_KEY] = lambda: datetime(9999, 12, 31, 23, 30, tzinfo=UTC)
    client = app.test_client()
    lot = lot_id(lots, "harbour-surface")
    for start, end in [
        (datetime(1, 1, 1, 1, tzinfo=UTC), datetime(1, 1, 1, 2, tzinfo=UTC)),
        (datetime(9999, 12, 31, 20, tzinfo=UTC), datetime(9999, 12, 31, 21, tzinfo=UTC)),
    ]:
        lots.add(
            ParkingSession(
                slot_id=slot_id(lots, "harbour-surface", "A01"),
                lot_id=lot,
                opened_by="detection",
                started_at=start,
                ended_at=end,
            )
        )
        # Occupancy comes from the detections behind the stay (they land in the default
        # partition: no week exists for year 1 or 9999).
        for seq, (status, at) in enumerate((("occupied", start), ("free", end))):
            lots.add(
                SlotEvent(
                    event_id=uuid.uuid4(), slot_id=slot_id(lots, "harbour-surface", "A01"),
                    lot_id=lot, node_id="node-edges", status=status, observed_at=at, seq=seq,
                )
            )  # fmt: skip
    lots.commit()
    _set_database_time_zone(database_url, zone)
    for query in (
        "&from=9999-12-31T00:00:00Z&to=9999-12-31T23:00:00Z",
        "&from=0001-01-01T00:00:00Z&to=0001-01-01T23:00:00Z",
    ):
        response = client.get(STATS + query, headers=users.headers(Role.ADMIN))
        assert response.status_code == 200, response.data
        (series,) = response.get_json()["series"]
        assert sum(b["occupied_s"] for b in series["buckets"]) == 3600
    sessions = client.get(
        "/api/v1/admin/slots/harbour-surface/A01/sessions", headers=users.headers(Role.ADMIN)
    )
    assert sessions.status_code == 200, sessions.data
