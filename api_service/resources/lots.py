"""`/lots`: search near a point, lot detail, availability (ETag, SSE), a lot's slots."""

from collections.abc import Iterator

from flask import Blueprint, Response, current_app, request

from api_service.access import PUBLIC
from api_service.availability import AvailabilityService, Snapshot
from api_service.clock import utcnow
from api_service.db import db_session
from api_service.endpoint import RouteSpec, endpoint
from api_service.errors import ApiError, not_found
from api_service.models.common import LotPath
from api_service.models.lots import (
    FloorLayout,
    Location,
    LotDetail,
    LotPage,
    LotSearch,
    LotSummary,
    SlotFilter,
    SlotPage,
)
from api_service.resources.views import slot_view, tariff_summary, tariff_view
from api_service.services import lots, pagination, slots, tariffs
from api_service.services.errors import DomainError
from api_service.settings import ApiSettings
from api_service.stream_slots import StreamSlots
from schemas.messages import Availability, SlotCounts

bp = Blueprint("lots", __name__, url_prefix="/api/v1/lots")


def _service() -> AvailabilityService:
    service: AvailabilityService = current_app.extensions["parking_availability"]
    return service


def _settings() -> ApiSettings:
    settings: ApiSettings = current_app.extensions["parking_settings"]
    return settings


@bp.get("")
@endpoint(
    RouteSpec(
        "Lots near a point, nearest first, with free/total, per kind, and open now",
        PUBLIC,
        "lots",
        rate="public",
        query=LotSearch,
        response=LotPage,
    )
)
def search(query: LotSearch) -> LotPage:
    point = None
    if query.lat is not None and query.lon is not None:
        point = lots.Point(query.lat, query.lon)
    filters = lots.LotFilters(bool(query.available), query.open_now, query.kind)
    found = lots.search_lots(
        db_session(), utcnow(), point=point, radius_m=query.radius_m, filters=filters,
        limit=query.limit,
    )  # fmt: skip
    prices = tariffs.current_tariffs(db_session(), [lot.row.code for lot in found], utcnow())
    items = [
        LotSummary(
            lot_id=lot.row.code, name=lot.row.name, operator=lot.row.operator,
            address=lot.row.address, location=Location(lat=lot.row.latitude, lon=lot.row.longitude),
            timezone=lot.row.timezone, opening_hours=lot.row.opening_hours,
            open_now=lot.hours.open, next_change=lot.hours.next_change,
            distance_m=lot.row.distance_m, free=lot.row.free, total=lot.row.total, kinds=lot.kinds,
            tariff=tariff_summary(prices.get(lot.row.code)),
        )
        for lot in found
    ]  # fmt: skip
    return LotPage(items=items)


@bp.get("/<lot_id>")
@endpoint(
    RouteSpec(
        "One lot: place, floors and rows, counts",
        PUBLIC,
        "lots",
        rate="public",
        path=LotPath,
        response=LotDetail,
        errors=(404,),
    )
)
def detail(path: LotPath) -> LotDetail:
    found = lots.find_lot(db_session(), path.lot_id)
    snapshot = _service().get(path.lot_id, utcnow())
    if found is None or snapshot is None:
        raise not_found(f"lot {path.lot_id}")
    lot, operator = found
    counts = Availability.model_validate_json(snapshot.body)
    return LotDetail(
        lot_id=lot.code,
        name=lot.name,
        operator=operator,
        address=lot.address,
        location=Location(lat=lot.latitude, lon=lot.longitude),
        timezone=lot.timezone,
        opening_hours=lot.opening_hours,
        open_now=counts.open,
        next_change=counts.next_change,
        counts=SlotCounts.model_validate(counts.model_dump(include=set(SlotCounts.model_fields))),
        kinds=counts.kinds,
        floors=[
            FloorLayout(level=level, name=name, rows=rows)
            for level, name, rows in lots.lot_floors(db_session(), lot.id)
        ],
        tariff=tariff_view(tariffs.current_tariff(db_session(), lot.id, utcnow())),
    )


def _snapshot(lot_id: str) -> Snapshot:
    snapshot = _service().get(lot_id, utcnow())
    if snapshot is None:
        raise not_found(f"lot {lot_id}")
    return snapshot


@bp.get("/<lot_id>/availability")
@endpoint(
    RouteSpec(
        "Slot counts by status per lot, floor and row, per kind, and open now (ETag; 304)",
        PUBLIC,
        "lots",
        rate="public",
        path=LotPath,
        response=Availability,
        errors=(304, 404),
        headers={"ETag": "Strong validator of the document."},
    )
)
def availability(path: LotPath) -> Response:
    snapshot = _snapshot(path.lot_id)
    max_age = _settings().availability_max_age_s
    headers = {"ETag": snapshot.etag, "Cache-Control": f"public, max-age={max_age}"}
    # If-None-Match uses the weak comparison (RFC 9110 13.1.2); `*` matches any.
    if request.if_none_match.contains_weak(snapshot.etag.strip('"')):
        return Response(status=304, headers=headers)
    return Response(snapshot.body, mimetype="application/json", headers=headers)


@bp.get("/<lot_id>/availability/stream")
@endpoint(
    RouteSpec(
        "Server-Sent Events: the availability document on every change",
        PUBLIC,
        "lots",
        rate="public",
        path=LotPath,
        response=Availability,
        errors=(404, 429, 503),
        media_type="text/event-stream",
    )
)
def availability_stream(path: LotPath) -> Response:
    service, settings = _service(), _settings()
    if service.hub is None:
        raise ApiError(503, "live-updates-off", "Service Unavailable", "live updates are off")
    streams: StreamSlots = current_app.extensions["parking_streams"]
    lease = streams.open(request.remote_addr)  # 429 per client, 503 in total
    try:
        first = _snapshot(path.lot_id)
    except (ApiError, DomainError):
        streams.release(lease)
        raise

    def frames() -> Iterator[str]:
        try:
            lifetime = streams.remaining_s(lease)
            yield from service.stream(first, path.lot_id, settings.sse_keepalive_s, lifetime)
        finally:
            streams.release(lease)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return Response(frames(), mimetype="text/event-stream", headers=headers)


@bp.get("/<lot_id>/slots")
@endpoint(
    RouteSpec(
        "A lot's slots with status and freshness, filtered, by code",
        PUBLIC,
        "lots",
        rate="public",
        path=LotPath,
        query=SlotFilter,
        response=SlotPage,
        errors=(404,),
    )
)
def lot_slots(path: LotPath, query: SlotFilter) -> SlotPage:
    session, now = db_session(), utcnow()
    found = lots.find_lot(session, path.lot_id)
    if found is None:
        raise not_found(f"lot {path.lot_id}")
    filters = slots.SlotFilters(query.floor, query.row, query.status, query.kind)
    page = slots.list_slots(
        session, found[0].id, now, filters, after=query.cursor, limit=query.limit
    )
    cursor = pagination.next_cursor(page, query.limit, lambda read: read.code)
    return SlotPage(items=[slot_view(path.lot_id, read) for read in page], next_cursor=cursor)
