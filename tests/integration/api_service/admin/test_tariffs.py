"""A lot's tariff for its staff: versions kept, the one in force, audited changes, refusals."""

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api_service.clock import CLOCK_KEY
from schemas.db import AuditEntry
from tests.integration.api_service.admin.conftest import Staff
from tests.integration.api_service.conftest import problem

pytestmark = pytest.mark.integration

TARIFF = "/api/v1/admin/lots/harbour-surface/tariff"
EXAMPLE = json.loads(
    (Path(__file__).resolve().parents[4] / "examples/lots/harbour-surface.json").read_text()
)["tariff"]
# Later than the example's import (version 1, valid from the fixture's real now).
NOW = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)


@pytest.fixture
def clock(admin_app: Flask) -> list[datetime]:
    now = [NOW]
    admin_app.extensions[CLOCK_KEY] = lambda: now[0]
    return now


def dearer(price: int) -> dict[str, Any]:
    tariff: dict[str, Any] = copy.deepcopy(EXAMPLE)
    tariff["periods"][0]["price_minor"] = price
    return tariff


def put(client: FlaskClient, staff: Staff, body: dict[str, Any], who: str = "harbour") -> Any:
    return client.put(TARIFF, json=body, headers=staff.headers(who))


def test_every_change_is_a_new_version_and_the_old_ones_stay(
    admin_client: FlaskClient, staff: Staff, lots: Session, clock: list[datetime]
) -> None:
    shown = admin_client.get(TARIFF, headers=staff.headers("harbour")).get_json()
    assert [v["version"] for v in shown["versions"]] == [1]
    assert (shown["current"]["tariff"], shown["current"]["created_by"]) == (EXAMPLE, None)

    changed = put(admin_client, staff, {"tariff": dearer(60)})
    assert changed.status_code == 200, changed.data
    body = changed.get_json()
    assert [v["version"] for v in body["versions"]] == [2, 1]
    assert body["current"]["version"] == 2
    assert body["current"]["tariff"] == dearer(60)
    assert body["current"]["created_by"] == "staff@harbour.example.com"
    assert body["versions"][1]["tariff"] == EXAMPLE  # kept: sessions reference it

    again = put(admin_client, staff, {"tariff": dearer(60)}, who="admin").get_json()
    assert [v["version"] for v in again["versions"]] == [2, 1]  # the same tariff: none

    entries = lots.scalars(select(AuditEntry).where(AuditEntry.action == "lot.tariff")).all()
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.entity_id, entry.actor_id) == ("harbour-surface", staff.ids["harbour"])
    assert entry.before is not None
    assert entry.after is not None
    assert (entry.before["version"], entry.after["version"]) == (1, 2)
    assert entry.after["periods"][0]["price_minor"] == 60


def test_a_version_valid_later_is_pending_until_then(
    admin_client: FlaskClient, staff: Staff, lots: Session, clock: list[datetime]
) -> None:
    later = NOW + timedelta(days=7)
    body = put(
        admin_client, staff, {"tariff": dearer(70), "valid_from": later.isoformat()}
    ).get_json()
    assert (body["current"]["version"], body["versions"][0]["version"]) == (1, 2)
    assert body["versions"][0]["valid_from"] == later.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    clock[0] = later
    shown = admin_client.get(TARIFF, headers=staff.headers("harbour")).get_json()
    assert shown["current"]["version"] == 2
    assert admin_client.get("/api/v1/lots/harbour-surface").get_json()["tariff"]["version"] == 2


def test_the_layout_carries_the_newest_tariff_and_imports_a_change(
    admin_client: FlaskClient, staff: Staff, lots: Session, clock: list[datetime]
) -> None:
    layout = admin_client.get(
        "/api/v1/admin/lots/harbour-surface/layout", headers=staff.headers("harbour")
    ).get_json()
    assert layout["tariff"] == EXAMPLE
    url = "/api/v1/admin/lots/harbour-surface/layout"
    same = admin_client.put(url, json=layout, headers=staff.headers("harbour")).get_json()
    assert (same["changed"], same["counts"]) == (False, {})
    changed = admin_client.put(
        url, json={**layout, "tariff": dearer(80)}, headers=staff.headers("harbour")
    ).get_json()
    assert changed["counts"] == {"tariff versions added": 1}
    shown = admin_client.get(TARIFF, headers=staff.headers("harbour")).get_json()
    assert shown["versions"][0]["tariff"] == dearer(80)


REFUSALS = {
    "a start in the past": (
        {"tariff": EXAMPLE, "valid_from": "2020-01-01T00:00:00Z"},
        "valid_from",
        "must not be in the past",
    ),
    "overlapping periods": (
        {
            "tariff": {
                **EXAMPLE,
                "periods": [*EXAMPLE["periods"], {**EXAMPLE["periods"][0], "days": ["Fr"]}],
            }
        },
        "tariff",
        "periods[2] (Fr 08:00-19:00) overlaps periods[0] (Fr 08:00-19:00)",
    ),
    "an empty range": (
        {"tariff": {**EXAMPLE, "periods": [{**EXAMPLE["periods"][0], "end": "08:00"}]}},
        "tariff.periods.0",
        "empty range 08:00-08:00",
    ),
    "a price as a float": (
        {"tariff": {**EXAMPLE, "periods": [{**EXAMPLE["periods"][0], "price_minor": 0.5}]}},
        "tariff.periods.0.price_minor",
        "integer",
    ),
    "an unknown currency": ({"tariff": {**EXAMPLE, "currency": "EUX"}}, "tariff.currency", "EUX"),
}


@pytest.mark.parametrize(("body", "field", "message"), REFUSALS.values(), ids=REFUSALS.keys())
def test_bad_tariffs_are_refused_naming_the_field_and_nothing_is_stored(
    admin_client: FlaskClient,
    staff: Staff,
    lots: Session,
    clock: list[datetime],
    body: dict[str, Any],
    field: str,
    message: str,
) -> None:
    response = put(admin_client, staff, body)
    assert response.status_code == 400
    errors = problem(response)["errors"]
    assert errors[0]["field"] == field
    assert message in errors[0]["message"]
    shown = admin_client.get(TARIFF, headers=staff.headers("harbour")).get_json()
    assert [v["version"] for v in shown["versions"]] == [1]


def test_a_lot_without_a_tariff_and_an_unknown_lot(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    downtown = admin_client.get(
        "/api/v1/admin/lots/downtown/tariff", headers=staff.headers("city")
    ).get_json()
    assert downtown == {"lot_id": "downtown", "current": None, "versions": []}
    unknown = admin_client.get("/api/v1/admin/lots/nowhere/tariff", headers=staff.headers("admin"))
    assert problem(unknown)["status"] == 404
