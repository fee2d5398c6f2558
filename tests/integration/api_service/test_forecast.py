"""`GET /lots/{lot}/forecast` over seeded hourly rollups and the live slot states."""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from api_service.clock import CLOCK_KEY
from api_service.forecast import DEFAULT_RHO
from schemas.db import OccupancyHourly, Slot
from schemas.enums import DetectedStatus, SlotStatus
from tests.integration.api_service.conftest import lot_id, problem

pytestmark = pytest.mark.integration

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)  # Monday 08:30 in Amsterdam (CET)
KINDS = {"standard": 21, "ev": 2, "accessible": 1}  # harbour-surface's bays
# Free share on weekdays 08:00-09:00 local, and otherwise; EV bays keep to themselves.
SHARES = {"standard": (0.25, 0.75), "ev": (0.5, 0.5), "accessible": (0.25, 0.75)}
LOT_SHARES = tuple(sum(KINDS[k] * SHARES[k][i] for k in KINDS) / 24 for i in (0, 1))


def usual_share(kind: str, hour: datetime) -> float:
    local = hour.astimezone(AMS)
    peak, usual = SHARES[kind]
    return peak if local.weekday() < 5 and local.hour == 8 else usual


def seed_rollups(session: Session, code: str, hours: list[datetime], share: Any) -> None:
    rows = [
        {"lot_id": lot_id(session, code), "kind": kind, "hour": hour, "slots": n,
         "occupied_avg": n * (1 - share(kind, hour)), "free_avg": n * share(kind, hour),
         "unknown_avg": 0.0}
        for hour in hours
        for kind, n in KINDS.items()
    ]  # fmt: skip
    session.execute(insert(OccupancyHourly), rows)
    session.commit()


def set_status(session: Session, codes: list[str], **values: Any) -> None:
    query = select(Slot.id).where(Slot.lot_id == lot_id(session, "harbour-surface"))
    ids = list(session.scalars(query.where(Slot.code.in_(codes))))
    assert len(ids) == len(codes)
    session.execute(update(Slot).where(Slot.id.in_(ids)).values(**values))
    session.commit()


@pytest.fixture
def harbour(app: Flask, lots: Session) -> Session:
    """A week with a weekday 08:00 dip; now 4 standard bays and 1 EV bay taken, 1 closed."""
    this_hour = NOW.replace(minute=0)
    week = [this_hour - timedelta(hours=h) for h in range(1, 168 + 1)]
    seed_rollups(lots, "harbour-surface", week, usual_share)
    # Neither the hour under way nor one older than the window counts (each would halve
    # the median of its hour of the week: Monday 08:00 and, in summer time, 09:00).
    seed_rollups(
        lots, "harbour-surface", [this_hour, this_hour - timedelta(weeks=5)], lambda _k, _h: 0
    )
    in_lot = Slot.lot_id == lot_id(lots, "harbour-surface")
    kinds = dict(lots.execute(select(Slot.code, Slot.kind).where(in_lot)).all())
    standard = sorted(code for code, kind in kinds.items() if kind == "standard")
    ev = sorted(code for code, kind in kinds.items() if kind == "ev")
    taken = {"detected_status": DetectedStatus.OCCUPIED, "status": SlotStatus.OCCUPIED}
    set_status(lots, [*standard[:4], ev[0]], **taken)
    set_status(lots, standard[4:5], closed_at=NOW, closed_reason="repaint")
    app.extensions[CLOCK_KEY] = lambda: NOW
    return lots


def expected(
    free_now: int, capacity: int, peak: float, usual: float
) -> list[tuple[int, float, float]]:
    """(minutes, free, baseline) by hand: 08:30 is the dip's centre, 09:30 the next hour's."""
    shares = {15: peak + (usual - peak) / 4, 30: (peak + usual) / 2, 60: usual}
    deviation = free_now - capacity * peak
    out = []
    for minutes in (15, 30, 60):
        baseline = capacity * shares[minutes]
        free = min(capacity, baseline + deviation * DEFAULT_RHO ** (minutes / 60))
        out.append((minutes, free, baseline))
    return out


def horizons(body: dict[str, Any]) -> list[tuple[int, float, float | None]]:
    return [(h["minutes"], h["free"], h["baseline"]) for h in body["horizons"]]


@pytest.mark.parametrize(
    ("query", "kind", "free_now", "capacity"),
    [
        ("", None, 18, 23),  # 24 bays, 5 taken, 1 closed
        ("?kind=ev", "ev", 1, 2),  # no dip: the EV bays' own history
        ("?kind=standard", "standard", 16, 20),
    ],
)
def test_forecast_follows_the_usual_week_from_where_the_lot_is_now(
    client: FlaskClient,
    harbour: Session,
    query: str,
    kind: str | None,
    free_now: int,
    capacity: int,
) -> None:
    response = client.get(f"/api/v1/lots/harbour-surface/forecast{query}")
    assert response.status_code == 200, response.data
    body = response.get_json()
    assert {k: body[k] for k in ("lot_id", "kind", "generated_at", "basis")} == {
        "lot_id": "harbour-surface",
        "kind": kind,
        "generated_at": "2026-11-23T07:30:00.000Z",
        "basis": "seasonal",
    }
    assert (body["free_now"], body["capacity"]) == (free_now, capacity)
    got = horizons(body)
    assert [m for m, _f, _b in got] == [15, 30, 60]
    for (_m, free, baseline), (_, want_free, want_baseline) in zip(
        got, expected(free_now, capacity, *(SHARES[kind] if kind else LOT_SHARES)), strict=True
    ):
        assert free == pytest.approx(want_free, abs=0.06)  # served to one decimal
        assert baseline == pytest.approx(want_baseline, abs=0.06)


def test_whole_lot_numbers(client: FlaskClient, harbour: Session) -> None:
    # The first case written out: 23 open bays, 18 free where 23 * 6.5 / 24 = 6.2 are usual
    # at 08:30, 11.8 more, fading by 0.7 an hour; at 09:30 that passes 23 (all open bays).
    body = client.get("/api/v1/lots/harbour-surface/forecast").get_json()
    assert horizons(body) == [(15, 19.6, 8.9), (30, 21.3, 11.5), (60, 23.0, 16.8)]


def test_a_lot_without_history_forecasts_what_it_has_now(
    client: FlaskClient, harbour: Session
) -> None:
    body = client.get("/api/v1/lots/downtown/forecast").get_json()
    assert body["basis"] == "persistence"
    assert body["free_now"] == body["capacity"] > 0  # every bay free in the fixture
    assert horizons(body) == [(m, float(body["free_now"]), None) for m in (15, 30, 60)]


@pytest.mark.parametrize(
    ("url", "status", "field"),
    [
        ("/api/v1/lots/nowhere/forecast", 404, None),
        ("/api/v1/lots/nowhere/forecast?kind=ev", 404, None),
        ("/api/v1/lots/harbour-surface/forecast?kind=truck", 400, "kind"),
        ("/api/v1/lots/harbour-surface/forecast?minutes=15", 400, "minutes"),
    ],
)
def test_refusals(
    client: FlaskClient, harbour: Session, url: str, status: int, field: str | None
) -> None:
    response = client.get(url)
    assert response.status_code == status
    body = problem(response)
    if field is not None:
        assert [error["field"] for error in body["errors"]] == [field]


def test_openapi_describes_the_forecast(client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    operation = doc["paths"]["/api/v1/lots/{lot_id}/forecast"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert set(params) == {"lot_id", "kind"}
    assert {"400", "404", "429"} <= set(operation["responses"])
    forecast = doc["components"]["schemas"]["LotForecast"]
    assert {"free_now", "capacity", "basis", "horizons"} <= set(forecast["required"])
