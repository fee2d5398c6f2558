"""`/open-data`: public, read-only feeds in open standards (GeoJSON, NGSI-LD, DATEX II v3).

Every answer carries a strong ETag of its bytes (If-None-Match: 304) and a short public
Cache-Control, and counts against the public rate limit. Counts are the availability
documents' and slot statuses `services.slots`', so the feeds agree with the API.
"""

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request

from api_service.access import PUBLIC
from api_service.availability import AvailabilityService, strong_etag
from api_service.clock import utcnow
from api_service.db import db_session
from api_service.endpoint import RouteSpec, endpoint
from api_service.errors import not_found
from api_service.models.open_data import LotFeatureCollection, NgsiLdEntities, NgsiLdQuery
from api_service.open_data import datex2, geojson, ngsi_ld
from api_service.open_data.facts import LotFacts
from api_service.services import open_data, pagination
from api_service.settings import ApiSettings
from schemas.messages import Availability

bp = Blueprint("open_data", __name__, url_prefix="/api/v1/open-data")

_CACHED = {"ETag": "Strong validator of the document (If-None-Match: 304)."}
GEOJSON_MIME = "application/geo+json"
LD_JSON_MIME = "application/ld+json"
XML_MIME = "application/xml"


def _settings() -> ApiSettings:
    settings: ApiSettings = current_app.extensions["parking_settings"]
    return settings


def _lots(now: datetime, code: str | None = None) -> list[LotFacts]:
    service: AvailabilityService = current_app.extensions["parking_availability"]

    def document(lot_code: str) -> Availability | None:
        snapshot = service.get(lot_code, now)
        return None if snapshot is None else Availability.model_validate_json(snapshot.body)

    return open_data.lot_facts(db_session(), document, code)


def _cached(body: bytes, mimetype: str, headers: dict[str, str] | None = None) -> Response:
    """`body` with its strong ETag and a public max-age; 304 when the client has it."""
    etag = strong_etag(body)
    out = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={_settings().open_data_max_age_s}",
        **(headers or {}),
    }
    # If-None-Match uses the weak comparison (RFC 9110 13.1.2); `*` matches any.
    if request.if_none_match.contains_weak(etag.strip('"')):
        return Response(status=304, headers=out)
    return Response(body, mimetype=mimetype, headers=out)


def _json(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


@bp.get("/lots.geojson")
@endpoint(
    RouteSpec(
        "Every lot as a GeoJSON Feature (Point) with live counts (ETag; 304)",
        PUBLIC,
        "open-data",
        rate="public",
        response=LotFeatureCollection,
        errors=(304,),
        media_type=GEOJSON_MIME,
        headers=_CACHED,
    )
)
def lots_geojson() -> Response:
    collection = geojson.feature_collection(_lots(utcnow()))
    return _cached(_json(collection), GEOJSON_MIME)


@bp.get("/ngsi-ld/entities")
@endpoint(
    RouteSpec(
        "NGSI-LD entities (FIWARE Parking): OffStreetParking per lot, ParkingSpot per slot",
        PUBLIC,
        "open-data",
        rate="public",
        query=NgsiLdQuery,
        response=NgsiLdEntities,
        errors=(304, 404),
        media_type=LD_JSON_MIME,
        headers={**_CACHED, "Link": "rel=next: the next page of ParkingSpot entities."},
    )
)
def ngsi_ld_entities(query: NgsiLdQuery) -> Response:
    now = utcnow()
    lots = _lots(now, query.lot)
    if query.lot is not None and not lots:
        raise not_found(f"lot {query.lot}")
    headers: dict[str, str] = {}
    if query.type == ngsi_ld.OFF_STREET_PARKING:
        entities = [ngsi_ld.off_street_parking(lot) for lot in lots]
    else:
        session, lot = db_session(), lots[0]
        lot_id = open_data.lot_id(session, lot.code)
        if lot_id is None:
            raise not_found(f"lot {lot.code}")
        spots = open_data.spot_facts(
            session, lot, lot_id, now, after=query.cursor, limit=query.limit
        )
        entities = [ngsi_ld.parking_spot(spot) for spot in spots]
        cursor = pagination.next_cursor(spots, query.limit, lambda spot: spot.code)
        if cursor is not None:
            headers["Link"] = f'<{_next_url(query, cursor)}>; rel="next"'
    if query.options == "keyValues":
        entities = [ngsi_ld.key_values(entity) for entity in entities]
    body = [ngsi_ld.with_context(entity) for entity in entities]
    return _cached(_json(body), LD_JSON_MIME, headers)


def _next_url(query: NgsiLdQuery, cursor: str) -> str:
    params = query.model_dump(exclude_none=True) | {"cursor": cursor}
    return f"{request.base_url}?{urlencode(params)}"


def _publisher() -> datex2.Publisher:
    settings = _settings()
    return datex2.Publisher(settings.open_data_country, settings.open_data_publisher)


@bp.get("/datex2/parking-table")
@endpoint(
    RouteSpec(
        "DATEX II v3 ParkingTablePublication: every lot, its place and capacity per kind",
        PUBLIC,
        "open-data",
        rate="public",
        errors=(304,),
        media_type=XML_MIME,
        headers=_CACHED,
    )
)
def datex2_parking_table() -> Response:
    return _cached(datex2.parking_table(_lots(utcnow()), _publisher()), XML_MIME)


@bp.get("/datex2/parking-status")
@endpoint(
    RouteSpec(
        "DATEX II v3 ParkingStatusPublication: every lot's vacant and occupied spaces now",
        PUBLIC,
        "open-data",
        rate="public",
        errors=(304,),
        media_type=XML_MIME,
        headers=_CACHED,
    )
)
def datex2_parking_status() -> Response:
    return _cached(datex2.parking_status(_lots(utcnow()), _publisher()), XML_MIME)
