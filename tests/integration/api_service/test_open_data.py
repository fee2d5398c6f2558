"""Open-data feeds over real PostgreSQL: the numbers of a lot with slots in every status,
caching (ETag, 304), paging, refusals; every NGSI-LD and DATEX II document served is checked
against our conformance schemas (tests/open_data/schemas)."""

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from schemas.db import Node, ParkingLot, Reservation, Slot
from schemas.enums import DetectedStatus, ReservationState, Role
from tests.integration.api_service.conftest import Users, lot_id, problem
from tests.open_data.conformance import datex2_errors, ngsi_ld_validator

pytestmark = pytest.mark.integration

BASE = "/api/v1/open-data"
LOT = "harbour-surface"
NS = {
    "d2": "http://datex2.eu/schema/3/d2Payload",
    "com": "http://datex2.eu/schema/3/common",
    "fac": "http://datex2.eu/schema/3/facilities",
    "prk": "http://datex2.eu/schema/3/parking",
    "loc": "http://datex2.eu/schema/3/locationReferencing",
}
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
# harbour-surface: 24 slots (21 standard, 2 ev, 1 accessible); five are not free.
EXPECTED = {"total": 24, "free": 19, "occupied": 2, "reserved": 1, "closed": 1, "unknown": 1}
SPOT_STATUS = {"A01": "occupied", "A02": "occupied", "A03": "occupied", "A04": "closed"}


@pytest.fixture
def seeded(lots: Session, users: Users) -> Session:
    """harbour-surface with two occupied slots, one reserved, one closed, one unknown."""
    session, now = lots, datetime.now(UTC)
    harbour = lot_id(session, LOT)
    session.add(Node(id="dead-node", lot_id=harbour, state="offline"))
    session.flush()

    def slot(code: str) -> Slot:
        found = session.scalar(select(Slot).where(Slot.lot_id == harbour, Slot.code == code))
        assert found is not None
        return found

    for code in ("A01", "A02"):
        slot(code).detected_status = DetectedStatus.OCCUPIED
    session.add(
        Reservation(
            user_id=users.ids[Role.DRIVER], slot_id=slot("A03").id, lot_id=harbour,
            state=ReservationState.ACTIVE, starts_at=now - timedelta(minutes=1),
            expires_at=now + timedelta(minutes=30),
        )
    )  # fmt: skip
    closed = slot("A04")
    closed.closed_at, closed.closed_reason = now, "repainting"
    slot("A05").detected_node_id = "dead-node"
    session.commit()
    return session


def _features(client: FlaskClient) -> dict[str, dict[str, Any]]:
    response = client.get(f"{BASE}/lots.geojson")
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/geo+json"
    body = response.get_json(force=True)
    assert body["type"] == "FeatureCollection"
    return {feature["id"]: feature for feature in body["features"]}


def test_geojson_carries_the_counts_the_api_computes(client: FlaskClient, seeded: Session) -> None:
    features = _features(client)
    assert list(features) == ["downtown", LOT]  # by code
    harbour = features[LOT]
    assert harbour["geometry"] == {"type": "Point", "coordinates": [4.9205, 52.3783]}
    props = harbour["properties"]
    assert {key: props[key] for key in EXPECTED} == EXPECTED
    assert props["capacity"] == {"accessible": 1, "ev": 2, "standard": 21}
    assert props["status"] == "spacesAvailable"
    assert (props["operator"], props["code"]) == ("harbour-parking", LOT)
    availability = client.get(f"/api/v1/lots/{LOT}/availability").get_json()
    assert {key: availability[key] for key in EXPECTED} == EXPECTED
    assert props["updated_at"] == availability["updated_at"]


def _conforms(response: TestResponse) -> None:
    """The body against our conformance schema of its standard (GeoJSON has none)."""
    if response.mimetype == "application/ld+json":
        ngsi_ld_validator().validate(response.get_json(force=True))
    elif response.mimetype == "application/xml":
        assert datex2_errors(response.data) == []


@pytest.mark.parametrize(
    ("path", "mimetype", "static"),
    [
        ("/lots.geojson", "application/geo+json", False),
        ("/ngsi-ld/entities?type=OffStreetParking", "application/ld+json", False),
        (f"/ngsi-ld/entities?type=ParkingSpot&lot={LOT}", "application/ld+json", False),
        ("/datex2/parking-table", "application/xml", True),
        ("/datex2/parking-status", "application/xml", False),
    ],
)
def test_every_feed_is_public_cached_and_revalidated(
    client: FlaskClient, seeded: Session, path: str, mimetype: str, static: bool
) -> None:
    first = client.get(BASE + path)  # no token
    assert first.status_code == 200, first.data
    assert first.mimetype == mimetype
    _conforms(first)
    etag = first.headers["ETag"]
    assert etag.startswith('"')  # strong: no W/ prefix
    assert first.headers["Cache-Control"] == "public, max-age=30"
    again = client.get(BASE + path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    seeded.execute(update(Slot).values(closed_at=datetime.now(UTC), closed_reason="works"))
    seeded.commit()
    changed = client.get(BASE + path, headers={"If-None-Match": etag})
    # The table states places and capacities, not statuses: it changes with the layout.
    assert changed.status_code == (304 if static else 200)
    if not static:
        _conforms(changed)  # every slot closed: the lots' closed statuses
    seeded.execute(update(ParkingLot).values(name=ParkingLot.name + " (renamed)"))
    seeded.commit()
    renamed = client.get(BASE + path, headers={"If-None-Match": etag})
    assert renamed.status_code == 200
    assert renamed.headers["ETag"] != etag


def test_off_street_parking_entities(client: FlaskClient, seeded: Session) -> None:
    response = client.get(f"{BASE}/ngsi-ld/entities?type=OffStreetParking&lot={LOT}")
    assert response.mimetype == "application/ld+json"
    [entity] = response.get_json(force=True)
    ngsi_ld_validator().validate(entity)  # normalised
    assert entity["id"] == f"urn:ngsi-ld:OffStreetParking:{LOT}"
    assert entity["type"] == "OffStreetParking"
    assert (
        "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld" in (entity["@context"])
    )
    assert entity["location"] == {
        "type": "GeoProperty", "value": {"type": "Point", "coordinates": [4.9205, 52.3783]}
    }  # fmt: skip
    values = {name: entity[name]["value"] for name in (
        "availableSpotNumber", "occupiedSpotNumber", "totalSpotNumber", "occupancy", "status"
    )}  # fmt: skip
    assert values == {
        "availableSpotNumber": 19,
        "occupiedSpotNumber": 3,  # occupied + reserved
        "totalSpotNumber": 24,
        "occupancy": 0.125,
        "status": ["open", "spacesAvailable"],
    }
    key_values = client.get(
        f"{BASE}/ngsi-ld/entities?type=OffStreetParking&options=keyValues"
    ).get_json(force=True)
    assert [item["id"] for item in key_values] == [
        "urn:ngsi-ld:OffStreetParking:downtown", f"urn:ngsi-ld:OffStreetParking:{LOT}"
    ]  # fmt: skip
    ngsi_ld_validator().validate(key_values)
    assert key_values[1]["availableSpotNumber"] == 19
    every = client.get(f"{BASE}/ngsi-ld/entities?type=OffStreetParking").get_json(force=True)
    assert [item["id"] for item in every] == [item["id"] for item in key_values]
    ngsi_ld_validator().validate(every)  # normalised, every lot


def _all_spots(client: FlaskClient, limit: int) -> list[dict[str, Any]]:
    url: str | None = (
        f"{BASE}/ngsi-ld/entities?type=ParkingSpot&lot={LOT}&limit={limit}&options=keyValues"
    )
    spots: list[dict[str, Any]] = []
    while url is not None:
        response = client.get(url)
        assert response.status_code == 200, response.data
        page = response.get_json(force=True)
        assert len(page) <= limit
        ngsi_ld_validator().validate(page)
        spots += page
        link = response.headers.get("Link")
        url = link[link.index("<") + 1 : link.index(">")] if link else None
    return spots


def test_parking_spots_page_and_validate(client: FlaskClient, seeded: Session) -> None:
    spots = _all_spots(client, limit=10)
    assert len(spots) == 24
    by_code = {spot["name"]: spot for spot in spots}
    assert len(by_code) == 24
    status = {code: spot["status"] for code, spot in by_code.items()}
    assert {code: status[code] for code in SPOT_STATUS} == SPOT_STATUS
    assert status["A05"] == "unknown"
    assert sum(value == "free" for value in status.values()) == 19
    a01 = by_code["A01"]
    assert a01["id"] == f"urn:ngsi-ld:ParkingSpot:{LOT}:A01"
    assert a01["refParkingSite"] == f"urn:ngsi-ld:OffStreetParking:{LOT}"
    assert a01["refParkingGroup"] == f"urn:ngsi-ld:ParkingGroup:{LOT}:0:A"
    assert a01["category"] == ["offStreet"]
    assert all(spot["type"] == "ParkingSpot" for spot in spots)  # each page validated above


def test_normalised_spot_has_relationships(client: FlaskClient, seeded: Session) -> None:
    [spot] = client.get(f"{BASE}/ngsi-ld/entities?type=ParkingSpot&lot={LOT}&limit=1").get_json(
        force=True
    )
    ngsi_ld_validator().validate(spot)
    assert spot["refParkingSite"] == {
        "type": "Relationship", "object": f"urn:ngsi-ld:OffStreetParking:{LOT}"
    }  # fmt: skip
    assert spot["status"]["type"] == "Property"
    assert spot["status"]["value"] == "occupied"  # A01
    assert spot["status"]["observedAt"].endswith("Z")


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("type=ParkingSpot", 400, "lot"),
        ("type=Car", 400, "type"),
        ("type=OffStreetParking&cursor=A01", 400, "cursor"),
        ("type=ParkingSpot&lot=nowhere", 404, None),
        ("type=OffStreetParking&lot=nowhere", 404, None),
    ],
)
def test_bad_queries_are_refused(
    client: FlaskClient, seeded: Session, query: str, status: int, field: str | None
) -> None:
    response = client.get(f"{BASE}/ngsi-ld/entities?{query}")
    body = problem(response)
    assert response.status_code == status
    if field is not None:
        assert [error["field"] for error in body["errors"]] == [field]


def _xml(client: FlaskClient, path: str) -> ET.Element:
    response = client.get(BASE + path)
    assert response.status_code == 200, response.data
    assert response.data.startswith(b"<?xml")
    assert datex2_errors(response.data) == []
    return ET.fromstring(response.data)  # noqa: S314 - our own document


def test_datex2_table_and_status(client: FlaskClient, seeded: Session) -> None:
    table = _xml(client, "/datex2/parking-table")
    assert table.tag == f"{{{NS['d2']}}}payload"
    assert table.get(XSI_TYPE) == "prk:ParkingTablePublication"
    assert table.get("modelBaseVersion") == "3"
    parking_table = table.find("prk:parkingTable", NS)
    assert parking_table is not None
    places = {
        element.get("id"): element
        for element in parking_table.findall("prk:hierarchyElementGeneral", NS)
        if element.get(XSI_TYPE) == "prk:Place"
    }
    assert list(places) == ["downtown", LOT]
    harbour = places[LOT]
    assert harbour.findtext("fac:name/com:values/com:value", namespaces=NS) == "Harbour Surface Lot"
    point = "fac:locationReference/loc:pointByCoordinates/loc:pointCoordinates/"
    assert harbour.findtext(point + "loc:latitude", namespaces=NS) == "52.3783"
    assert harbour.findtext("prk:supply/prk:quantity", namespaces=NS) == "24"
    areas = {
        element.get("id"): element.findtext("prk:supply/prk:quantity", namespaces=NS)
        for element in parking_table.findall("prk:hierarchyElementGeneral", NS)
        if element.get(XSI_TYPE) == "prk:SpecificArea" and element.get("id", "").startswith(LOT)
    }
    assert areas == {f"{LOT}.accessible": "1", f"{LOT}.ev": "2", f"{LOT}.standard": "21"}

    status = _xml(client, "/datex2/parking-status")
    assert status.get(XSI_TYPE) == "prk:ParkingStatusPublication"
    reference = status.find("prk:parkingTableReference", NS)
    assert reference is not None
    assert reference.get("version") == parking_table.get("version")
    [place] = [
        element for element in status.findall("prk:parkingStatusInformation", NS)
        if element.find("fac:reference", NS).get("id") == LOT  # type: ignore[union-attr]
    ]  # fmt: skip
    assert place.get(XSI_TYPE) == "prk:PlaceStatus"
    assert place.findtext("fac:openingStatus", namespaces=NS) == "open"
    assert place.findtext("prk:occupancy/prk:numberOfVacantSpaces", namespaces=NS) == "19"
    assert place.findtext("prk:occupancy/prk:numberOfOccupiedSpaces", namespaces=NS) == "3"
    assert place.findtext("prk:occupancy/prk:occupancy", namespaces=NS) == "12.50"
    assert place.findtext("prk:status", namespaces=NS) == "spacesAvailable"


def test_public_rate_limit_applies(make_app: Callable[..., Flask], seeded: Session) -> None:
    client = make_app(rate_limit_public="2/minute").test_client()
    statuses = [client.get(f"{BASE}/datex2/parking-status").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_openapi_documents_the_feeds(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    media = {
        path: next(iter(paths[BASE + path]["get"]["responses"]["200"]["content"]))
        for path in ("/lots.geojson", "/ngsi-ld/entities", "/datex2/parking-table")
    }
    assert media == {
        "/lots.geojson": "application/geo+json",
        "/ngsi-ld/entities": "application/ld+json",
        "/datex2/parking-table": "application/xml",
    }
    entities = paths[BASE + "/ngsi-ld/entities"]["get"]
    assert entities["x-access"] == "public"
    assert "security" not in entities
    assert {"304", "400", "404", "429"} <= set(entities["responses"])
    assert {param["name"] for param in entities["parameters"]} == {
        "type", "lot", "options", "limit", "cursor"
    }  # fmt: skip
