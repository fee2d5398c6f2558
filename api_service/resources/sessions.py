"""`/sessions`: park at a slot (check in), exit with duration, list mine."""

from flask import Blueprint

from api_service.access import DRIVER, current_user_id
from api_service.clock import utcnow
from api_service.db import db_session
from api_service.endpoint import RouteSpec, endpoint
from api_service.models.common import IdPath, PageQuery, SlotRef
from api_service.models.sessions import SessionPage, SessionView
from api_service.resources.views import session_view
from api_service.services import pagination, sessions

bp = Blueprint("sessions", __name__, url_prefix="/api/v1/sessions")


@bp.post("")
@endpoint(
    RouteSpec(
        "Park at a slot (joins the detected stay; fulfils my reservation)",
        DRIVER,
        "sessions",
        rate="user",
        body=SlotRef,
        response=SessionView,
        status=201,
        errors=(404, 409, 415),
    )
)
def check_in(body: SlotRef) -> SessionView:
    read = sessions.check_in(db_session(), current_user_id(), body.lot_id, body.slot_id, utcnow())
    return session_view(read)


@bp.post("/<int:id>/end")
@endpoint(
    RouteSpec(
        "Exit: end my session, with its duration",
        DRIVER,
        "sessions",
        rate="user",
        path=IdPath,
        response=SessionView,
        errors=(404, 409),
    )
)
def end(path: IdPath) -> SessionView:
    return session_view(sessions.end(db_session(), current_user_id(), path.id, utcnow()))


@bp.get("")
@endpoint(
    RouteSpec(
        "My parking sessions, newest first",
        DRIVER,
        "sessions",
        rate="user",
        query=PageQuery,
        response=SessionPage,
    )
)
def list_mine(query: PageQuery) -> SessionPage:
    before = pagination.decode_id(query.cursor)
    page = sessions.list_mine(db_session(), current_user_id(), before, query.limit, utcnow())
    cursor = pagination.next_cursor(page, query.limit, lambda s: s.id)
    return SessionPage(items=[session_view(s) for s in page], next_cursor=cursor)
