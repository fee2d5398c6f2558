"""Prices for drivers: the lot's tariff, quotes, a session's fee so far and at its end."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from api_service.clock import CLOCK_KEY
from schemas.db import ParkingSession
from schemas.db.tariffs import add_tariff_version
from schemas.enums import Role
from schemas.tariff import Tariff
from tests.integration.api_service.conftest import Users, lot_id, problem

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "lots" / "harbour-surface.json"
# Monday 2026-12-14, 10:00 in Amsterdam. The example tariff: 15 free minutes, then on
# weekdays 08:00-19:00 50 per started 15 minutes, Saturdays 09:00-17:00 100 per started
# hour, at most 1500 a day.
MONDAY_10 = datetime(2026, 12, 14, 9, tzinfo=UTC)
LOT = "/api/v1/lots/harbour-surface"


@pytest.fixture
def priced(lots: Session) -> Session:
    """The example's tariff again, as version 2 valid since 2020, whatever today is."""
    tariff = Tariff.model_validate(json.loads(EXAMPLE.read_text())["tariff"])
    added = add_tariff_version(
        lots, lot_id(lots, "harbour-surface"), tariff, valid_from=datetime(2020, 1, 1, tzinfo=UTC)
    )
    assert added is not None
    assert added.version == 2
    lots.commit()
    return lots


@pytest.fixture
def clock(app: Flask) -> list[datetime]:
    now = [MONDAY_10]
    app.extensions[CLOCK_KEY] = lambda: now[0]
    return now


def test_a_stay_shows_its_cost_so_far_and_its_fee_at_the_exit(
    client: FlaskClient, priced: Session, users: Users, clock: list[datetime]
) -> None:
    driver = users.headers(Role.DRIVER)
    parked = client.post(
        "/api/v1/sessions", json={"lot_id": "harbour-surface", "slot_id": "A05"}, headers=driver
    ).get_json()
    fee_now = {"amount_minor": 0, "currency": "EUR", "tariff_version": 2}
    assert (parked["fee"], parked["fee_so_far"]) == (None, fee_now)

    clock[0] += timedelta(minutes=40)  # 25 charged minutes: two started quarters
    mine = client.get("/api/v1/sessions", headers=driver).get_json()["items"]
    assert mine[0]["fee_so_far"] == {**fee_now, "amount_minor": 100}

    clock[0] += timedelta(minutes=50)  # 75 charged minutes: five quarters
    ended = client.post(f"/api/v1/sessions/{parked['id']}/end", headers=driver).get_json()
    fee = {**fee_now, "amount_minor": 250}
    assert (ended["fee"], ended["fee_so_far"]) == (fee, None)
    mine = client.get("/api/v1/sessions", headers=driver).get_json()["items"]
    assert (mine[0]["fee"], mine[0]["fee_so_far"]) == (fee, None)
    priced.expire_all()
    row = priced.get_one(ParkingSession, parked["id"])
    assert (row.fee_minor, row.fee_currency) == (250, "EUR")


def test_a_lot_without_a_tariff_leaves_the_fee_unknown(
    client: FlaskClient, priced: Session, users: Users, clock: list[datetime]
) -> None:
    driver = users.headers(Role.DRIVER)
    parked = client.post(
        "/api/v1/sessions", json={"lot_id": "downtown", "slot_id": "L0-A-005"}, headers=driver
    ).get_json()
    clock[0] += timedelta(hours=2)
    ended = client.post(f"/api/v1/sessions/{parked['id']}/end", headers=driver).get_json()
    assert (parked["fee_so_far"], ended["fee"], ended["duration_s"]) == (None, None, 7200.0)


def test_the_lot_detail_shows_the_tariff_in_force(
    client: FlaskClient, priced: Session, clock: list[datetime]
) -> None:
    tariff = client.get(LOT).get_json()["tariff"]
    example = json.loads(EXAMPLE.read_text())["tariff"]
    assert tariff == {**example, "version": 2, "valid_from": "2020-01-01T00:00:00.000Z"}
    assert client.get("/api/v1/lots/downtown").get_json()["tariff"] is None


def test_the_lot_list_shows_prices_in_short(
    client: FlaskClient, priced: Session, clock: list[datetime]
) -> None:
    items = {lot["lot_id"]: lot["tariff"] for lot in client.get("/api/v1/lots").get_json()["items"]}
    assert items == {
        "harbour-surface": {
            "currency": "EUR",
            "free_minutes": 15,
            "hour_max_minor": 200,
            "daily_cap_minor": 1500,
        },
        "downtown": None,
    }


def day(date: str, amount: int, *, capped: bool = False) -> dict[str, Any]:
    return {"day": date, "amount_minor": amount, "capped": capped}


QUOTES = {
    "90 minutes from now": ("minutes=90", 250, [day("2026-12-14", 250)]),
    "within the free minutes": ("minutes=15", 0, []),
    "a Saturday: started hours from 09:15": (
        "from=2026-12-19T08:00:00Z&to=2026-12-19T17:00:00Z",
        800,
        [day("2026-12-19", 800)],
    ),
    "a whole weekday reaches the cap": (
        "from=2026-12-14T23:00:00%2B01:00&to=2026-12-16T00:00:00%2B01:00",
        1500,
        [day("2026-12-15", 1500, capped=True)],
    ),
    "Sunday is free": ("from=2026-12-20T06:00:00Z&to=2026-12-20T20:00:00Z", 0, []),
}


@pytest.mark.parametrize(("query", "amount", "days"), QUOTES.values(), ids=QUOTES.keys())
def test_quotes_price_a_stay_as_a_session_would_be(
    client: FlaskClient,
    priced: Session,
    clock: list[datetime],
    query: str,
    amount: int,
    days: list[dict[str, Any]],
) -> None:
    response = client.get(f"{LOT}/quote?{query}")
    assert response.status_code == 200, response.data
    quote = response.get_json()
    assert (quote["amount_minor"], quote["currency"], quote["tariff_version"]) == (
        amount,
        "EUR",
        2,
    )
    assert quote["days"] == days


BAD_QUOTES = {
    "nothing to price": ("", 400, "minutes"),
    "both forms": ("minutes=5&from=2026-12-14T09:00:00Z&to=2026-12-14T10:00:00Z", 400, "minutes"),
    "from without to": ("from=2026-12-14T09:00:00Z", 400, "to"),
    "to before from": ("from=2026-12-14T09:00:00Z&to=2026-12-14T08:00:00Z", 400, "to"),
    "negative minutes": ("minutes=-1", 400, "minutes"),
    "a local time without offset": ("from=2026-12-14T09:00:00&to=2026-12-14T10:00:00", 400, "from"),
    "the end of time": ("from=9999-12-31T20:00:00Z&to=9999-12-31T23:59:00Z", 400, "to"),
}


@pytest.mark.parametrize(("query", "status", "field"), BAD_QUOTES.values(), ids=BAD_QUOTES.keys())
def test_bad_quotes_are_refused_naming_the_parameter(
    client: FlaskClient, priced: Session, query: str, status: int, field: str
) -> None:
    response = client.get(f"{LOT}/quote?{query}")
    assert response.status_code == status
    assert problem(response)["errors"][0]["field"] == field


def test_no_quote_without_a_lot_or_a_tariff(
    client: FlaskClient, priced: Session, clock: list[datetime]
) -> None:
    assert problem(client.get("/api/v1/lots/nowhere/quote?minutes=5"))["status"] == 404
    assert problem(client.get("/api/v1/lots/downtown/quote?minutes=5"))["status"] == 404
