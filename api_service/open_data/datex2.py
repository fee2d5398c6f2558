"""DATEX II v3 parking publications (namespace `http://datex2.eu/schema/3/parking`), as XML.

The table is static: one `prk:Place` per lot (name, address, point, capacity), with one
`prk:SpecificArea` child per slot kind holding that kind's capacity. The status is
dynamic: one `prk:PlaceStatus` per lot (opening status, vacant and occupied spaces,
occupancy, full/spacesAvailable). Element order follows the v3.6 schema's sequences
(`fac:FacilityObject`, `prk:HierarchyElementGeneral`, `prk:ParkingStatusInformation`).
Both root at `d2:payload`, typed by `xsi:type`.
"""

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from api_service.open_data.facts import LotFacts
from api_service.open_data.status_map import (
    DATEX_OPENING_STATUS,
    DATEX_PLACE_STATUS,
    occupancy_ratio,
    site_state,
    taken,
)
from schemas.enums import SlotStatus
from schemas.messages import format_utc

NS: Final[Mapping[str, str]] = {
    "d2": "http://datex2.eu/schema/3/d2Payload",
    "com": "http://datex2.eu/schema/3/common",
    "loc": "http://datex2.eu/schema/3/locationReferencing",
    "fac": "http://datex2.eu/schema/3/facilities",
    "prk": "http://datex2.eu/schema/3/parking",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)

TABLE_ID: Final = "lots"
# Characters XML 1.0 cannot carry (control characters, surrogates, U+FFFE, U+FFFF):
# ElementTree writes them as they are, and one in a lot's name or address would leave the
# whole publication unparseable. They become U+FFFD.
_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)  # the time of an empty publication
ITEM_VERSION: Final = "1"


@dataclass(frozen=True, slots=True)
class Publisher:
    """Who publishes: `com:publicationCreator` (country, national identifier) and language."""

    country: str
    national_identifier: str
    lang: str = "en"


def _q(name: str) -> str:
    prefix, _, local = name.partition(":")
    return f"{{{NS[prefix]}}}{local}"


def _sub(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, _q(name), {_attr(k): v for k, v in attrs.items()})
    if text is not None:
        element.text = _NOT_XML.sub("\ufffd", text)
    return element


def _attr(name: str) -> str:
    return _q("xsi:type") if name == "xsi_type" else name


def _text(parent: ET.Element, name: str, value: str, lang: str) -> None:
    """A `com:MultilingualString` element."""
    values = _sub(_sub(parent, name), "com:values")
    _sub(values, "com:value", value, lang=lang)


def _payload(kind: str, publisher: Publisher, published_at: datetime) -> ET.Element:
    root = ET.Element(
        _q("d2:payload"),
        {_q("xsi:type"): kind, "lang": publisher.lang, "modelBaseVersion": "3"},
    )
    _sub(root, "com:publicationTime", format_utc(published_at))
    creator = _sub(root, "com:publicationCreator")
    _sub(creator, "com:country", publisher.country)
    _sub(creator, "com:nationalIdentifier", publisher.national_identifier)
    return root


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data


def place_id(code: str) -> str:
    return code


def area_id(code: str, kind: str) -> str:
    return f"{code}.{kind}"


def _place(table: ET.Element, lot: LotFacts, lang: str) -> None:
    place = _sub(table, "prk:hierarchyElementGeneral", xsi_type="prk:Place",
                 id=place_id(lot.code), version=ITEM_VERSION)  # fmt: skip
    _text(place, "fac:name", lot.name, lang)
    _sub(place, "fac:externalIdentifier", lot.code)
    _sub(place, "fac:lastUpdated", format_utc(lot.layout_updated_at))
    _text(place, "fac:description", lot.address, lang)
    location = _sub(place, "fac:locationReference", xsi_type="loc:PointLocation")
    coordinates = _sub(_sub(location, "loc:pointByCoordinates"), "loc:pointCoordinates")
    _sub(coordinates, "loc:latitude", repr(float(lot.lat)))
    _sub(coordinates, "loc:longitude", repr(float(lot.lon)))
    _sub(place, "prk:layer", "0")
    _sub(place, "prk:type", "place")
    for kind in sorted(lot.capacity):
        _sub(place, "prk:childId", targetClass="fac:FacilityObject",
             id=area_id(lot.code, kind), version=ITEM_VERSION)  # fmt: skip
    _supply(place, lot.counts.get("total", 0))


def _supply(parent: ET.Element, quantity: int) -> None:
    supply = _sub(parent, "prk:supply")
    _sub(supply, "prk:quantity", str(quantity))
    _sub(supply, "prk:viewType", "spaceView")


def _areas(table: ET.Element, lot: LotFacts, lang: str) -> None:
    for kind, capacity in sorted(lot.capacity.items()):
        area = _sub(table, "prk:hierarchyElementGeneral", xsi_type="prk:SpecificArea",
                    id=area_id(lot.code, kind), version=ITEM_VERSION)  # fmt: skip
        _text(area, "fac:name", f"{lot.name}: {kind}", lang)
        _sub(area, "fac:externalIdentifier", kind)
        _sub(area, "prk:layer", "1")
        _sub(area, "prk:type", "identifiedArea")
        _sub(area, "prk:parentId", targetClass="fac:FacilityObject",
             id=place_id(lot.code), version=ITEM_VERSION)  # fmt: skip
        _supply(area, capacity)


def parking_table(lots: Sequence[LotFacts], publisher: Publisher) -> bytes:
    """`prk:ParkingTablePublication`: every lot and its capacity per slot kind, published
    (and versioned) at the newest layout change."""
    published_at = table_time(lots)
    root = _payload("prk:ParkingTablePublication", publisher, published_at)
    table = _sub(root, "prk:parkingTable", id=TABLE_ID, version=table_version(lots))
    _sub(table, "prk:versionTime", format_utc(published_at))
    for lot in lots:
        _place(table, lot, publisher.lang)
        _areas(table, lot, publisher.lang)
    return _serialise(root)


def table_time(lots: Sequence[LotFacts]) -> datetime:
    return max((lot.layout_updated_at for lot in lots), default=EPOCH)


def table_version(lots: Sequence[LotFacts]) -> str:
    """The table's version: a digest of what it states, so the status publication can name
    it without reading it, and any change to a place or a capacity makes a new version."""
    static = [
        (lot.code, lot.name, lot.address, lot.lat, lot.lon, sorted(lot.capacity.items()),
         lot.counts.get("total", 0), format_utc(lot.layout_updated_at))
        for lot in lots
    ]  # fmt: skip
    return hashlib.sha256(json.dumps(static).encode()).hexdigest()[:16]


def _occupancy(parent: ET.Element, counts: Mapping[str, int]) -> None:
    """Vacant spaces always; occupied spaces and the percentage when the counts say them
    (per-kind counts may carry only free and total)."""
    occupancy = _sub(parent, "prk:occupancy")
    _sub(occupancy, "prk:numberOfVacantSpaces", str(counts.get(SlotStatus.FREE, 0)))
    if SlotStatus.OCCUPIED not in counts:
        return
    _sub(occupancy, "prk:numberOfOccupiedSpaces", str(taken(counts)))
    ratio = occupancy_ratio(counts)
    if ratio is not None:
        _sub(occupancy, "prk:occupancy", f"{ratio * 100:.2f}")


def _place_status(publication: ET.Element, lot: LotFacts) -> None:
    state = site_state(lot.counts, lot.open_now)
    status = _sub(publication, "prk:parkingStatusInformation", xsi_type="prk:PlaceStatus")
    _sub(status, "fac:reference", targetClass="fac:FacilityObject",
         id=place_id(lot.code), version=ITEM_VERSION)  # fmt: skip
    _sub(status, "fac:lastUpdated", format_utc(lot.updated_at))
    _sub(status, "fac:openingStatus", DATEX_OPENING_STATUS[state])
    _occupancy(status, lot.counts)
    place_status = DATEX_PLACE_STATUS[state]
    if place_status is not None:
        _sub(status, "prk:status", place_status)


def _area_statuses(publication: ET.Element, lot: LotFacts) -> None:
    for kind, counts in sorted(lot.kinds.items()):
        status = _sub(
            publication, "prk:parkingStatusInformation", xsi_type="prk:ParkingStatusInformation"
        )
        _sub(status, "fac:reference", targetClass="fac:FacilityObject",
             id=area_id(lot.code, kind), version=ITEM_VERSION)  # fmt: skip
        _sub(status, "fac:lastUpdated", format_utc(lot.updated_at))
        _occupancy(status, counts)


def parking_status(lots: Sequence[LotFacts], publisher: Publisher) -> bytes:
    """`prk:ParkingStatusPublication`: per lot (and per kind when known) occupancy, published
    at the newest count change, naming the table version it refers to."""
    published_at = max((lot.updated_at for lot in lots), default=EPOCH)
    root = _payload("prk:ParkingStatusPublication", publisher, published_at)
    _sub(root, "prk:parkingTableReference", targetClass="prk:ParkingTable",
         id=TABLE_ID, version=table_version(lots))  # fmt: skip
    for lot in lots:
        _place_status(root, lot)
        _area_statuses(root, lot)
    return _serialise(root)
