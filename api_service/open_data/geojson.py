"""Lots as a GeoJSON FeatureCollection (RFC 7946): a Point per lot, live counts as properties."""

from collections.abc import Iterable
from typing import Any

from api_service.open_data.facts import LotFacts, full_counts
from api_service.open_data.status_map import site_state
from schemas.messages import format_utc


def lot_feature(lot: LotFacts) -> dict[str, Any]:
    """One lot as a Feature; RFC 7946 orders coordinates longitude first."""
    properties: dict[str, Any] = {
        "code": lot.code,
        "name": lot.name,
        "address": lot.address,
        "operator": lot.operator,
        "timezone": lot.timezone,
        "status": site_state(lot.counts, lot.open_now).value,
        **full_counts(lot.counts),
        "capacity": dict(sorted(lot.capacity.items())),
        "updated_at": format_utc(lot.updated_at),
    }
    if lot.kinds:
        properties["kinds"] = {kind: dict(c) for kind, c in sorted(lot.kinds.items())}
    if lot.opening_hours is not None:
        properties["opening_hours"] = lot.opening_hours
    return {
        "type": "Feature",
        "id": lot.code,
        "geometry": {"type": "Point", "coordinates": [lot.lon, lot.lat]},
        "properties": properties,
    }


def feature_collection(lots: Iterable[LotFacts]) -> dict[str, Any]:
    """Every lot, in the order given."""
    return {"type": "FeatureCollection", "features": [lot_feature(lot) for lot in lots]}
