"""NGSI-LD entities of the FIWARE Smart Data Models Parking domain, normalised or key-values.

Lots are `OffStreetParking`, slots `ParkingSpot` (status through `status_map`), with URN
ids `urn:ngsi-ld:<Type>:<lot>[:<slot>]`. A slot's group is its row
(`urn:ngsi-ld:ParkingGroup:<lot>:<level>:<row>`); those groups are referenced, not served.
"""

from typing import Any, Final
from urllib.parse import quote

from api_service.open_data.facts import LotFacts, SpotFacts
from api_service.open_data.status_map import (
    FIWARE_SITE_STATUS,
    FIWARE_SPOT_STATUS,
    occupancy_ratio,
    site_state,
    taken,
)
from schemas.enums import SlotStatus
from schemas.messages import format_utc

CORE_CONTEXT: Final = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
PARKING_CONTEXT: Final = (
    "https://raw.githubusercontent.com/smart-data-models/dataModel.Parking/master/context.jsonld"
)
CONTEXT: Final = (PARKING_CONTEXT, CORE_CONTEXT)
OFF_STREET_PARKING: Final = "OffStreetParking"
PARKING_SPOT: Final = "ParkingSpot"


def lot_urn(code: str) -> str:
    return f"urn:ngsi-ld:{OFF_STREET_PARKING}:{code}"


def spot_urn(lot_code: str, code: str) -> str:
    return f"urn:ngsi-ld:{PARKING_SPOT}:{lot_code}:{code}"


def group_urn(lot_code: str, level: int, row: str) -> str:
    """Row names are free text ("Row A"): percent-encoded, so the id stays a URN (RFC 8141)."""
    return f"urn:ngsi-ld:ParkingGroup:{lot_code}:{level}:{quote(row, safe='')}"


def _prop(value: Any, observed_at: str | None = None) -> dict[str, Any]:
    prop: dict[str, Any] = {"type": "Property", "value": value}
    if observed_at is not None:
        prop["observedAt"] = observed_at
    return prop


def _rel(target: str) -> dict[str, Any]:
    return {"type": "Relationship", "object": target}


def _point(lat: float, lon: float) -> dict[str, Any]:
    return {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [lon, lat]}}


def off_street_parking(lot: LotFacts) -> dict[str, Any]:
    """A lot as a normalised `OffStreetParking` entity."""
    observed = format_utc(lot.updated_at)
    counts = lot.counts
    entity: dict[str, Any] = {
        "id": lot_urn(lot.code),
        "type": OFF_STREET_PARKING,
        "name": _prop(lot.name),
        "address": _prop({"streetAddress": lot.address}),
        "location": _point(lot.lat, lot.lon),
        "provider": _prop({"name": lot.operator}),
        "status": _prop(list(FIWARE_SITE_STATUS[site_state(counts, lot.open_now)]), observed),
        "availableSpotNumber": _prop(counts.get(SlotStatus.FREE, 0), observed),
        "occupiedSpotNumber": _prop(taken(counts), observed),
        "occupancyModified": _prop({"@type": "DateTime", "@value": observed}),
    }
    if counts.get("total", 0) > 0:  # the model's totalSpotNumber is at least 1
        entity["totalSpotNumber"] = _prop(counts["total"], observed)
        entity["occupancy"] = _prop(occupancy_ratio(counts), observed)
    if lot.opening_hours is not None:
        entity["openingHours"] = _prop(lot.opening_hours)
    return entity


def parking_spot(spot: SpotFacts) -> dict[str, Any]:
    """A slot as a normalised `ParkingSpot` entity."""
    entity: dict[str, Any] = {
        "id": spot_urn(spot.lot_code, spot.code),
        "type": PARKING_SPOT,
        "name": _prop(spot.code),
        "status": _prop(FIWARE_SPOT_STATUS[spot.status], format_utc(spot.since)),
        "category": _prop(["offStreet"]),
        "location": _point(spot.lat, spot.lon),
        "refParkingSite": _rel(lot_urn(spot.lot_code)),
    }
    if spot.floor is not None and spot.row is not None:
        entity["refParkingGroup"] = _rel(group_urn(spot.lot_code, spot.floor, spot.row))
    return entity


def with_context(entity: dict[str, Any]) -> dict[str, Any]:
    """`entity` as `application/ld+json` carries it: with its `@context`."""
    return {**entity, "@context": list(CONTEXT)}


def key_values(entity: dict[str, Any]) -> dict[str, Any]:
    """The key-values form (NGSI-LD `options=keyValues`): each attribute's value only."""
    out: dict[str, Any] = {}
    for name, attr in entity.items():
        if not isinstance(attr, dict) or "type" not in attr or name in ("id", "type"):
            out[name] = attr
        elif attr["type"] == "Relationship":
            out[name] = attr["object"]
        else:
            value = attr["value"]
            is_typed = isinstance(value, dict) and "@value" in value
            out[name] = value["@value"] if is_typed else value
    return out
