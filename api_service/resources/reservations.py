"""`/reservations`: a driver holds one free slot for a bounded time; cancel; list mine."""

from datetime import timedelta

from flask import Blueprint, current_app

from api_service.access import DRIVER, current_user_id
from api_service.clock import utcnow
from api_service.db import db_session
from api_service.endpoint import RouteSpec, endpoint
from api_service.models.common import IdPath, PageQuery, SlotRef
from api_service.models.reservations import ReservationPage, ReservationView
from api_service.resources.views import reservation_view
from api_service.services import pagination, reservations
from api_service.settings import ApiSettings

bp = Blueprint("reservations", __name__, url_prefix="/api/v1/reservations")


def _hold() -> timedelta:
    settings: ApiSettings = current_app.extensions["parking_settings"]
    return timedelta(minutes=settings.reservation_hold_minutes)


@bp.post("")
@endpoint(
    RouteSpec(
        "Reserve a free slot for the hold time",
        DRIVER,
        "reservations",
        rate="user",
        body=SlotRef,
        response=ReservationView,
        status=201,
        errors=(404, 409, 415),
    )
)
def create(body: SlotRef) -> ReservationView:
    read = reservations.reserve(
        db_session(),
        current_user_id(),
        lot_code=body.lot_id,
        slot_code=body.slot_id,
        now=utcnow(),
        hold=_hold(),
    )
    return reservation_view(read)


@bp.get("")
@endpoint(
    RouteSpec(
        "My reservations, newest first",
        DRIVER,
        "reservations",
        rate="user",
        query=PageQuery,
        response=ReservationPage,
    )
)
def list_mine(query: PageQuery) -> ReservationPage:
    before = pagination.decode_id(query.cursor)
    page = reservations.list_mine(db_session(), current_user_id(), utcnow(), before, query.limit)
    cursor = pagination.next_cursor(page, query.limit, lambda r: r.id)
    return ReservationPage(items=[reservation_view(r) for r in page], next_cursor=cursor)


@bp.delete("/<int:id>")
@endpoint(
    RouteSpec(
        "Cancel my active reservation",
        DRIVER,
        "reservations",
        rate="user",
        path=IdPath,
        response=ReservationView,
        errors=(404, 409),
    )
)
def cancel(path: IdPath) -> ReservationView:
    read = reservations.cancel(db_session(), current_user_id(), path.id, utcnow())
    return reservation_view(read)
