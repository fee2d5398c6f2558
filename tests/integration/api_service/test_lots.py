"""Lot search (ordering and distance against a reference haversine), detail, validation."""

import random

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from api_service.geo import haversine_m
from schemas.db import Operator, ParkingLot, Slot
from schemas.enums import DetectedStatus
from tests.integration.api_service.conftest import problem

pytestmark = pytest.mark.integration

# Search points: ordinary, across the antimeridian, near a pole, on the equator.
CENTRES = [(52.37, 4.89), (0.5, 179.95), (89.95, 10.0), (0.0, 0.0)]


def scatter_lots(session: Session, n_per_centre: int = 40) -> dict[str, tuple[float, float]]:
    """Lots at random offsets (up to ~30 km) around each centre; returns code -> (lat, lon)."""
    rng = random.Random(7)  # noqa: S311 - reproducible test data
    operator = Operator(code="geo", name="Geo")
    session.add(operator)
    session.flush()
    places = {}
    for c, (lat, lon) in enumerate(CENTRES):
        for i in range(n_per_centre):
            plat = max(-90.0, min(90.0, lat + rng.uniform(-0.3, 0.3)))
            plon = lon + rng.uniform(-0.3, 0.3)
            plon = (plon + 180) % 360 - 180
            code = f"geo-{c}-{i:03d}"
            places[code] = (plat, plon)
            session.add(
                ParkingLot(
                    code=code, operator_id=operator.id, name=code, address="x",
                    latitude=plat, longitude=plon, timezone="UTC",
                )
            )  # fmt: skip
    session.commit()
    return places


@pytest.mark.parametrize("centre", CENTRES)
@pytest.mark.parametrize("radius", [500.0, 5_000.0, 25_000.0])
def test_search_matches_reference_haversine(
    client: FlaskClient, session: Session, centre: tuple[float, float], radius: float
) -> None:
    places = scatter_lots(session)
    lat, lon = centre
    expected = sorted(
        (haversine_m(lat, lon, plat, plon), code)
        for code, (plat, plon) in places.items()
        if haversine_m(lat, lon, plat, plon) <= radius
    )
    response = client.get(f"/api/v1/lots?lat={lat}&lon={lon}&radius_m={radius}&limit=100")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [item["lot_id"] for item in items] == [code for _d, code in expected]
    for item, (distance, _code) in zip(items, expected, strict=True):
        assert item["distance_m"] == pytest.approx(distance, rel=1e-9, abs=1e-6)
        assert (item["free"], item["total"]) == (0, 0)


def test_search_counts_and_available_filter(client: FlaskClient, lots: Session) -> None:
    # Harbour (24 slots) all free; downtown (320) all occupied.
    lots.execute(
        update(Slot)
        .where(Slot.lot_id == ParkingLot.id, ParkingLot.code == "downtown")
        .values(detected_status=DetectedStatus.OCCUPIED)
    )
    lots.commit()
    near = "lat=52.37&lon=4.9&radius_m=10000"
    items = client.get(f"/api/v1/lots?{near}").get_json()["items"]
    counts = {item["lot_id"]: (item["free"], item["total"]) for item in items}
    assert counts == {"harbour-surface": (24, 24), "downtown": (0, 320)}
    distances = [item["distance_m"] for item in items]
    assert distances == sorted(distances)
    available = client.get(f"/api/v1/lots?{near}&available=true").get_json()["items"]
    assert [item["lot_id"] for item in available] == ["harbour-surface"]


def test_list_without_a_point_is_by_code(client: FlaskClient, lots: Session) -> None:
    items = client.get("/api/v1/lots").get_json()["items"]
    assert [item["lot_id"] for item in items] == ["downtown", "harbour-surface"]
    assert all(item["distance_m"] is None for item in items)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("lat=91&lon=4", "lat"),
        ("lat=-90.5&lon=4", "lat"),
        ("lat=52&lon=181", "lon"),
        ("lat=nan&lon=4", "lat"),
        ("lat=abc&lon=4", "lat"),
        ("lat=52", "lon"),
        ("lon=4", "lat"),
        ("lat=52&lon=4&radius_m=0", "radius_m"),
        ("lat=52&lon=4&radius_m=-5", "radius_m"),
        ("lat=52&lon=4&radius_m=50001", "radius_m"),
        ("lat=52&lon=4&radius_m=inf", "radius_m"),
        ("limit=101", "limit"),
        ("limit=0", "limit"),
        ("available=perhaps", "available"),
        ("colour=red", "colour"),
        ("lat=52&lat=53&lon=4", "lat"),
    ],
)
def test_bad_search_parameters_are_400_naming_the_field(
    client: FlaskClient, query: str, field: str
) -> None:
    response = client.get(f"/api/v1/lots?{query}")
    assert response.status_code == 400
    body = problem(response)
    assert body["type"] == "/problems/validation-error"
    assert field in [error["field"] for error in body["errors"]]
    assert field in body["detail"]


def test_lot_detail(client: FlaskClient, lots: Session) -> None:
    body = client.get("/api/v1/lots/harbour-surface").get_json()
    assert body["operator"] == "harbour-parking"
    assert body["counts"]["total"] == body["counts"]["free"] == 24
    assert [(f["level"], f["rows"]) for f in body["floors"]] == [(0, ["A", "B"])]
    missing = client.get("/api/v1/lots/nowhere")
    assert missing.status_code == 404
    assert problem(missing)["type"] == "/problems/not-found"
    bad = client.get("/api/v1/lots/bad%20id")
    assert bad.status_code == 400
    assert problem(bad)["errors"][0]["field"] == "lot_id"


def test_routing_errors_are_problems(client: FlaskClient) -> None:
    assert problem(client.get("/api/v1/nothing-here"))["status"] == 404
    not_allowed = client.put("/api/v1/lots")
    assert not_allowed.status_code == 405
    assert "GET" in not_allowed.headers["Allow"]
    problem(not_allowed)
    assert client.get("/healthz?x=1").status_code == 400
