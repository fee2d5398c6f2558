"""Our conformance schemas can fail: each broken document is refused, naming where.

The documents start as what the builders emit (valid, see test_open_data.py) and are broken
one way each: a value outside an enumeration, a required member or element missing, a wrong
type or range, elements out of order.
"""

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest
from jsonschema.exceptions import ValidationError

from api_service.open_data import datex2, ngsi_ld
from schemas.enums import SlotStatus
from tests.open_data.conformance import datex2_errors, ngsi_ld_validator
from tests.unit.api_service.test_open_data import LOT, PUBLISHER, _spot

NS = dict(datex2.NS)

Entity = dict[str, Any]


def _lot_kv() -> Entity:
    return ngsi_ld.with_context(ngsi_ld.key_values(ngsi_ld.off_street_parking(LOT)))


def _spot_kv() -> Entity:
    return ngsi_ld.with_context(ngsi_ld.key_values(ngsi_ld.parking_spot(_spot(SlotStatus.FREE))))


def _lot_normalised() -> Entity:
    return ngsi_ld.with_context(ngsi_ld.off_street_parking(LOT))


def _spot_normalised() -> Entity:
    return ngsi_ld.with_context(ngsi_ld.parking_spot(_spot(SlotStatus.FREE)))


def _without(entity: Entity, name: str) -> Entity:
    return {key: value for key, value in entity.items() if key != name}


def _errors(document: Any) -> list[tuple[str, str]]:
    """(path, message) of every violation, sorted."""
    errors: list[ValidationError] = list(ngsi_ld_validator().iter_errors(document))
    return sorted(("/".join(map(str, error.absolute_path)), error.message) for error in errors)


def test_the_valid_documents_pass() -> None:
    documents = [_lot_kv(), _spot_kv(), _lot_normalised(), _spot_normalised()]
    assert _errors(documents) == []
    for document in documents:
        assert _errors(document) == []


@pytest.mark.parametrize(
    ("document", "path", "says"),
    [
        ({**_spot_kv(), "status": "reserved"}, "status", "'reserved' is not one of"),
        (_without(_spot_kv(), "refParkingSite"), "", "'refParkingSite' is a required property"),
        (_without(_spot_kv(), "category"), "", "'category' is a required property"),
        ({**_spot_kv(), "category": ["onStreet"]}, "category/0", "'offStreet' was expected"),
        ({**_spot_kv(), "id": "harbour:A01"}, "id", "does not match"),
        ({**_spot_kv(), "refParkingSite": "harbour"}, "refParkingSite", "does not match"),
        ({**_spot_kv(), "refParkingGroup": "urn:ngsi-ld:ParkingGroup:harbour:0:Row A"},
         "refParkingGroup", "does not match"),
        ({**_spot_kv(), "location": {"type": "Point", "coordinates": [52.3783, 94.9205]}},
         "location/coordinates/1", "greater than the maximum of 90"),
        ({**_spot_kv(), "reserved": True}, "", "Additional properties are not allowed"),
        ({**_lot_kv(), "status": ["open", "reserved"]}, "status/1", "'reserved' is not one of"),
        ({**_lot_kv(), "status": []}, "status", "should be non-empty"),
        ({**_lot_kv(), "occupancy": 1.5}, "occupancy", "greater than the maximum of 1"),
        ({**_lot_kv(), "availableSpotNumber": -1}, "availableSpotNumber", "less than the minimum"),
        ({**_lot_kv(), "availableSpotNumber": "5"}, "availableSpotNumber", "is not of type"),
        ({**_lot_kv(), "totalSpotNumber": 0}, "totalSpotNumber", "less than the minimum of 1"),
        (_without(_lot_kv(), "occupancy"), "", "'occupancy' is a dependency of 'totalSpotNumber'"),
        ({**_lot_kv(), "occupancyModified": "2026-12-02 10:05"}, "occupancyModified",
         "does not match"),
        (_without(_lot_kv(), "availableSpotNumber"), "",
         "'availableSpotNumber' is a required property"),
        ({**_lot_kv(), "type": "Car"}, "type", "'Car' is not one of"),
    ],
)  # fmt: skip
def test_key_values_refusals(document: Entity, path: str, says: str) -> None:
    errors = _errors(document)
    assert any(at == path and says in message for at, message in errors), errors


def _broken_normalised() -> list[tuple[Entity, str, str]]:
    spot, lot = _spot_normalised(), _lot_normalised()
    status = {key: value for key, value in spot["status"].items() if key != "observedAt"}
    return [
        ({**spot, "status": {**spot["status"], "value": "reserved"}}, "status/value",
         "'reserved' is not one of"),
        ({**spot, "status": status}, "status", "'observedAt' is a required property"),
        ({**spot, "refParkingSite": {"type": "Property", "value": lot["id"]}},
         "refParkingSite/type", "'Relationship' was expected"),
        ({**spot, "location": {**spot["location"], "type": "Property"}}, "location",
         "'coordinates' is a required property"),  # not normalised any more: read as key-values
        ({**lot, "availableSpotNumber": {"type": "Property", "value": -2, "observedAt":
          lot["availableSpotNumber"]["observedAt"]}}, "availableSpotNumber/value",
         "less than the minimum"),
        ({**lot, "occupancyModified": {"type": "Property", "value": "yesterday"}},
         "occupancyModified/value", "is not of type 'object'"),
    ]  # fmt: skip


@pytest.mark.parametrize(("document", "path", "says"), _broken_normalised())
def test_normalised_refusals(document: Entity, path: str, says: str) -> None:
    errors = _errors(document)
    assert any(at == path and says in message for at, message in errors), errors


def test_a_list_is_refused_for_one_bad_entity() -> None:
    errors = _errors([_spot_kv(), {**_spot_kv(), "status": "taken"}])
    assert [path for path, _ in errors] == ["1/status"]


# DATEX II: the emitted XML, broken with ElementTree.

Mutation = Callable[[ET.Element], None]


def _find(root: ET.Element, path: str) -> ET.Element:
    found = root.find(path, NS)
    assert found is not None, path
    return found


def _set_text(path: str, text: str) -> Mutation:
    def mutate(root: ET.Element) -> None:
        _find(root, path).text = text

    return mutate


def _remove(parent: str, child: str) -> Mutation:
    def mutate(root: ET.Element) -> None:
        element = root if parent == "." else _find(root, parent)
        element.remove(_find(element, child))

    return mutate


def _swap(parent: str, first: int, second: int) -> Mutation:
    """Exchange two children of `parent`: a wrong element order."""

    def mutate(root: ET.Element) -> None:
        element = root if parent == "." else _find(root, parent)
        children = list(element)
        children[first], children[second] = children[second], children[first]
        element[:] = children

    return mutate


def _set_attr(path: str, name: str, value: str | None) -> Mutation:
    def mutate(root: ET.Element) -> None:
        element = root if path == "." else _find(root, path)
        if value is None:
            del element.attrib[name]
        else:
            element.set(name, value)

    return mutate


PLACE = "prk:parkingTable/prk:hierarchyElementGeneral"
STATUS = "prk:parkingStatusInformation"
XSI_TYPE = f"{{{NS['xsi']}}}type"


@pytest.mark.parametrize(
    ("publication", "mutate", "says"),
    [
        # Values outside an enumeration.
        ("status", _set_text(f"{STATUS}/prk:status", "reserved"),
         "prk:status: value must be one of"),
        ("status", _set_text(f"{STATUS}/fac:openingStatus", "ajar"),
         "fac:openingStatus: value must be one of"),
        ("table", _set_text(f"{PLACE}/prk:type", "garage"), "prk:type: value must be one of"),
        # Required elements and attributes missing.
        ("status", _remove(STATUS, "fac:reference"), "Unexpected child with tag 'fac:lastUpdated'"),
        ("status", _remove(f"{STATUS}/prk:occupancy", "prk:numberOfVacantSpaces"),
         "prk:occupancy: Unexpected child with tag 'prk:numberOfOccupiedSpaces'"),
        ("table", _remove(PLACE, "prk:supply"),
         "The content of element 'prk:hierarchyElementGeneral'"),
        ("table", _remove(".", "com:publicationTime"),
         "Unexpected child with tag 'com:publicationCreator'"),
        ("status", _remove(".", "prk:parkingTableReference"),
         "Unexpected child with tag 'prk:parkingStatusInformation'"),
        ("table", _set_attr(PLACE, XSI_TYPE, None), "abstract"),  # which kind of element?
        ("table", _set_attr(f"{PLACE}/prk:childId", "version", None),
         "missing required attribute 'version'"),
        # Wrong element order.
        ("table", _swap(PLACE, 0, 1),
         "Unexpected child with tag 'fac:externalIdentifier' at position 1"),
        ("table", _swap(PLACE, 5, 6), "Unexpected child with tag 'prk:type'"),
        ("status", _swap(STATUS, 3, 4), "Unexpected child with tag 'prk:status'"),
        ("status", _swap(f"{STATUS}/prk:occupancy", 0, 1),
         "Unexpected child with tag 'prk:numberOfOccupiedSpaces' at position 1"),
        # Wrong types and ranges.
        ("status", _set_text(f"{STATUS}/prk:occupancy/prk:numberOfVacantSpaces", "-1"),
         "numberOfVacantSpaces: value must be non negative"),
        ("status", _set_text(f"{STATUS}/prk:occupancy/prk:occupancy", "130.00"),
         "prk:occupancy/prk:occupancy: value has to be less than or equal"),
        ("table", _set_text(f"{PLACE}/prk:supply/prk:quantity", "ten"), "'ten'"),
        ("table", _set_text("com:publicationTime", "2026-12-02T10:00:00"),
         "com:publicationTime: value doesn't match any pattern"),  # no zone
        ("table", _set_text("com:publicationCreator/com:country", "NLD"),
         "com:country: value doesn't match any pattern"),
        ("table", _set_attr(".", "modelBaseVersion", "2"), "modelBaseVersion"),
        ("status", _set_attr(f"{STATUS}/fac:reference", "targetClass", "prk:ParkingTable"),
         "targetClass"),
    ],
)  # fmt: skip
def test_datex2_refusals(publication: str, mutate: Mutation, says: str) -> None:
    build = datex2.parking_table if publication == "table" else datex2.parking_status
    root = ET.fromstring(build([LOT], PUBLISHER))  # noqa: S314 - our own document
    assert datex2_errors(ET.tostring(root)) == []  # valid before the break
    mutate(root)
    errors = datex2_errors(ET.tostring(root))
    assert any(says in error for error in errors), errors
