"""The open-data builders: status mapping, GeoJSON, NGSI-LD and DATEX II documents from plain
rows, each document checked against our conformance schemas (tests/open_data/schemas)."""

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from api_service.open_data import datex2, geojson, ngsi_ld
from api_service.open_data.facts import LotFacts, SpotFacts
from api_service.open_data.status_map import (
    FIWARE_SPOT_STATUS,
    SiteState,
    occupancy_ratio,
    site_state,
    taken,
)
from schemas.enums import SlotKind, SlotStatus
from tests.open_data.conformance import datex2_errors, ngsi_ld_validator

T0 = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
T1 = datetime(2026, 12, 2, 10, 5, tzinfo=UTC)
NS = dict(datex2.NS)
XSI_TYPE = f"{{{NS['xsi']}}}type"


def counts(free: int = 0, occupied: int = 0, reserved: int = 0, unknown: int = 0,
           closed: int = 0) -> dict[str, int]:  # fmt: skip
    parts = {"free": free, "occupied": occupied, "reserved": reserved, "unknown": unknown,
             "closed": closed}  # fmt: skip
    return {"total": sum(parts.values()), **parts}


LOT = LotFacts(
    code="harbour", name="Harbour & Co <lot>", address="Veemkade 12, Amsterdam",
    operator="harbour-parking", lat=52.3783, lon=4.9205, timezone="Europe/Amsterdam",
    updated_at=T1, layout_updated_at=T0,
    counts=counts(free=5, occupied=2, reserved=1, unknown=1, closed=1),
    capacity={"standard": 8, "ev": 2},
)  # fmt: skip


@pytest.mark.parametrize(
    ("status", "fiware"),
    [
        (SlotStatus.FREE, "free"),
        (SlotStatus.OCCUPIED, "occupied"),
        (SlotStatus.RESERVED, "occupied"),  # held for one driver: not available to others
        (SlotStatus.CLOSED, "closed"),
        (SlotStatus.UNKNOWN, "unknown"),
    ],
)
def test_spot_status_mapping(status: SlotStatus, fiware: str) -> None:
    assert FIWARE_SPOT_STATUS[status] == fiware


def test_every_status_has_a_fiware_value() -> None:
    assert set(FIWARE_SPOT_STATUS) == set(SlotStatus)


@pytest.mark.parametrize(
    ("lot_counts", "open_now", "state"),
    [
        (counts(free=1, occupied=3), None, SiteState.SPACES_AVAILABLE),
        (counts(occupied=3, reserved=1), None, SiteState.FULL),
        (counts(reserved=1, unknown=2), None, SiteState.FULL),
        (counts(unknown=2, closed=1), None, SiteState.UNKNOWN),
        (counts(closed=4), None, SiteState.CLOSED),
        (counts(), None, SiteState.CLOSED),  # no slots at all
        (counts(free=4), False, SiteState.CLOSED),  # outside its opening hours
        (counts(free=4), True, SiteState.SPACES_AVAILABLE),
    ],
)
def test_site_state(lot_counts: dict[str, int], open_now: bool | None, state: SiteState) -> None:
    assert site_state(lot_counts, open_now) is state


@pytest.mark.parametrize(
    ("lot_counts", "held", "ratio"),
    [
        (counts(free=5, occupied=2, reserved=1, unknown=1, closed=1), 3, 0.3),
        (counts(free=3), 0, 0.0),
        (counts(), 0, None),
    ],
)
def test_taken_and_occupancy(lot_counts: dict[str, int], held: int, ratio: float | None) -> None:
    assert taken(lot_counts) == held
    assert occupancy_ratio(lot_counts) == ratio


def test_geojson_feature() -> None:
    collection = geojson.feature_collection([LOT])
    assert collection["type"] == "FeatureCollection"
    [feature] = collection["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [4.9205, 52.3783]}
    props = feature["properties"]
    assert props["free"] == 5
    assert props["reserved"] == 1
    assert props["total"] == 10
    assert props["status"] == "spacesAvailable"
    assert props["capacity"] == {"ev": 2, "standard": 8}
    assert props["updated_at"] == "2026-12-02T10:05:00.000Z"
    assert "kinds" not in props
    assert "opening_hours" not in props
    with_kinds = replace(
        LOT, kinds={"ev": {"free": 1, "total": 2}}, opening_hours="Mo-Fr 08:00-20:00"
    )
    props = geojson.lot_feature(with_kinds)["properties"]
    assert props["kinds"] == {"ev": {"free": 1, "total": 2}}
    assert props["opening_hours"] == "Mo-Fr 08:00-20:00"


def test_off_street_parking_entity_validates() -> None:
    entity = ngsi_ld.off_street_parking(LOT)
    assert entity["id"] == "urn:ngsi-ld:OffStreetParking:harbour"
    assert entity["availableSpotNumber"] == {
        "type": "Property", "value": 5, "observedAt": "2026-12-02T10:05:00.000Z"
    }  # fmt: skip
    assert entity["occupiedSpotNumber"]["value"] == 3
    assert entity["status"]["value"] == ["open", "spacesAvailable"]
    flat = ngsi_ld.key_values(entity)
    assert flat["occupancy"] == 0.3
    assert flat["occupancyModified"] == "2026-12-02T10:05:00.000Z"
    assert flat["location"] == {"type": "Point", "coordinates": [4.9205, 52.3783]}
    ngsi_ld_validator().validate(flat)
    ngsi_ld_validator().validate(ngsi_ld.with_context(entity))


def test_an_empty_lot_still_validates() -> None:
    empty = replace(LOT, counts=counts(), capacity={})
    flat = ngsi_ld.key_values(ngsi_ld.off_street_parking(empty))
    assert "totalSpotNumber" not in flat  # the model's minimum is 1
    assert flat["status"] == ["closed"]
    ngsi_ld_validator().validate(flat)


def _spot(status: SlotStatus, floor: int | None = 0, row: str | None = "A") -> SpotFacts:
    return SpotFacts(
        lot_code="harbour", code="A01", lat=52.3783, lon=4.9205, kind=SlotKind.EV,
        status=status, since=T0, floor=floor, row=row,
    )  # fmt: skip


@pytest.mark.parametrize("status", list(SlotStatus))
def test_parking_spot_entity_validates(status: SlotStatus) -> None:
    entity = ngsi_ld.parking_spot(_spot(status))
    assert entity["refParkingSite"] == {
        "type": "Relationship", "object": "urn:ngsi-ld:OffStreetParking:harbour"
    }  # fmt: skip
    assert entity["refParkingGroup"]["object"] == "urn:ngsi-ld:ParkingGroup:harbour:0:A"
    flat = ngsi_ld.key_values(entity)
    assert flat["status"] == FIWARE_SPOT_STATUS[status]
    ngsi_ld_validator().validate(flat)
    ngsi_ld_validator().validate(ngsi_ld.with_context(entity))


def test_a_spot_outside_rows_has_no_group() -> None:
    entity = ngsi_ld.parking_spot(_spot(SlotStatus.FREE, floor=None, row=None))
    assert "refParkingGroup" not in entity


@pytest.mark.parametrize(
    ("row", "group"),
    [
        ("A", "urn:ngsi-ld:ParkingGroup:harbour:-1:A"),
        ("Row A", "urn:ngsi-ld:ParkingGroup:harbour:-1:Row%20A"),  # row names are free text
        ("B/2 #1?", "urn:ngsi-ld:ParkingGroup:harbour:-1:B%2F2%20%231%3F"),
    ],
)
def test_a_group_urn_stays_a_urn(row: str, group: str) -> None:
    entity = ngsi_ld.parking_spot(_spot(SlotStatus.FREE, floor=-1, row=row))
    assert entity["refParkingGroup"]["object"] == group
    ngsi_ld_validator().validate(ngsi_ld.key_values(entity))


def test_with_context_adds_the_context() -> None:
    entity = ngsi_ld.with_context(ngsi_ld.parking_spot(_spot(SlotStatus.FREE)))
    assert entity["@context"] == [ngsi_ld.PARKING_CONTEXT, ngsi_ld.CORE_CONTEXT]


PUBLISHER = datex2.Publisher("nl", "example-city")


def _parse(data: bytes) -> ET.Element:
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(data)  # noqa: S314 - our own document


def _find(element: ET.Element, path: str) -> ET.Element:
    found = element.find(path, NS)
    assert found is not None, path
    return found


def test_datex2_table() -> None:
    root = _parse(datex2.parking_table([LOT], PUBLISHER))
    assert root.get(XSI_TYPE) == "prk:ParkingTablePublication"
    assert (root.get("lang"), root.get("modelBaseVersion")) == ("en", "3")
    assert root.findtext("com:publicationTime", namespaces=NS) == "2026-12-02T10:00:00.000Z"
    assert root.findtext("com:publicationCreator/com:country", namespaces=NS) == "nl"
    table = _find(root, "prk:parkingTable")
    assert table.get("version") == datex2.table_version([LOT])
    place, *areas = table.findall("prk:hierarchyElementGeneral", NS)
    assert place.get(XSI_TYPE) == "prk:Place"
    # Escaped on the way out, read back as written.
    assert place.findtext("fac:name/com:values/com:value", namespaces=NS) == LOT.name
    assert [child.tag.split("}")[1] for child in place][:4] == [
        "name", "externalIdentifier", "lastUpdated", "description"
    ]  # fmt: skip
    assert place.findtext("prk:supply/prk:quantity", namespaces=NS) == "10"
    assert [element.get("id") for element in place.findall("prk:childId", NS)] == [
        "harbour.ev", "harbour.standard"
    ]  # fmt: skip
    assert {
        area.get("id"): area.findtext("prk:supply/prk:quantity", namespaces=NS) for area in areas
    } == {"harbour.ev": "2", "harbour.standard": "8"}
    assert all(area.get(XSI_TYPE) == "prk:SpecificArea" for area in areas)
    assert datex2_errors(datex2.parking_table([LOT], PUBLISHER)) == []


def test_datex2_text_xml_cannot_carry_is_replaced_not_written_as_is() -> None:
    odd = replace(LOT, name="Harbour\x01Lot", address="Veemkade\x0b12\ufffe")
    table = _find(_parse(datex2.parking_table([odd], PUBLISHER)), "prk:parkingTable")
    place = table.findall("prk:hierarchyElementGeneral", NS)[0]
    assert place.findtext("fac:name/com:values/com:value", namespaces=NS) == "Harbour\ufffdLot"
    assert "Veemkade\ufffd12\ufffd" in ET.tostring(place, encoding="unicode")
    assert datex2_errors(datex2.parking_table([odd], PUBLISHER)) == []


def test_datex2_table_version_follows_what_it_states() -> None:
    version = datex2.table_version([LOT])
    assert datex2.table_version([replace(LOT, counts=counts(free=10))]) == version
    assert datex2.table_version([replace(LOT, capacity={"standard": 10})]) != version
    assert datex2.table_version([replace(LOT, name="Other")]) != version


def _status_of(root: ET.Element, ident: str) -> ET.Element:
    for element in root.findall("prk:parkingStatusInformation", NS):
        if _find(element, "fac:reference").get("id") == ident:
            return element
    raise AssertionError(ident)


@pytest.mark.parametrize(
    ("lot_counts", "opening", "status", "vacant", "occupied", "percent"),
    [
        (counts(free=5, occupied=2, reserved=1, unknown=1, closed=1), "open", "spacesAvailable",
         "5", "3", "30.00"),
        (counts(occupied=3, reserved=1), "open", "full", "0", "4", "100.00"),
        (counts(unknown=4), "open", "unknown", "0", "0", "0.00"),
        (counts(closed=4), "closed", None, "0", "0", "0.00"),
    ],
)  # fmt: skip
def test_datex2_status(
    lot_counts: dict[str, int], opening: str, status: str | None, vacant: str, occupied: str,
    percent: str,
) -> None:  # fmt: skip
    lot = replace(LOT, counts=lot_counts)
    root = _parse(datex2.parking_status([lot], PUBLISHER))
    assert root.get(XSI_TYPE) == "prk:ParkingStatusPublication"
    assert root.findtext("com:publicationTime", namespaces=NS) == "2026-12-02T10:05:00.000Z"
    assert _find(root, "prk:parkingTableReference").get("version") == datex2.table_version([lot])
    place = _status_of(root, "harbour")
    assert place.get(XSI_TYPE) == "prk:PlaceStatus"
    assert place.findtext("fac:openingStatus", namespaces=NS) == opening
    assert place.findtext("prk:occupancy/prk:numberOfVacantSpaces", namespaces=NS) == vacant
    assert place.findtext("prk:occupancy/prk:numberOfOccupiedSpaces", namespaces=NS) == occupied
    assert place.findtext("prk:occupancy/prk:occupancy", namespaces=NS) == percent
    assert place.findtext("prk:status", namespaces=NS) == status
    assert datex2_errors(datex2.parking_status([lot], PUBLISHER)) == []


def test_datex2_status_per_kind_when_known() -> None:
    lot = replace(LOT, kinds={"ev": {"free": 1, "total": 2}})
    root = _parse(datex2.parking_status([lot], PUBLISHER))
    ev = _status_of(root, "harbour.ev")
    assert ev.findtext("prk:occupancy/prk:numberOfVacantSpaces", namespaces=NS) == "1"
    assert ev.find("prk:occupancy/prk:numberOfOccupiedSpaces", NS) is None  # not known
    assert datex2_errors(datex2.parking_status([lot], PUBLISHER)) == []


def test_empty_publications_conform() -> None:
    assert datex2_errors(datex2.parking_table([], PUBLISHER)) == []
    assert datex2_errors(datex2.parking_status([], PUBLISHER)) == []
