"""`/admin/slots/{lot}/{slot}`: a slot for staff, its stays, and its manual override (force
its status with a reason, or clear it)."""

from flask import Blueprint

from api_service.access import STAFF, current_tenant
from api_service.clock import utcnow
from api_service.db import database, db_session
from api_service.endpoint import RouteSpec, endpoint
from api_service.errors import FieldError, validation_error
from api_service.models.admin_overrides import (
    AdminSlot,
    OverrideBody,
    SlotSessionPage,
    SlotSessionView,
)
from api_service.models.common import PageQuery, SlotPath
from api_service.resources.admin_common import PREFIX, optional_broker
from api_service.resources.views import slot_view
from api_service.services import pagination
from api_service.services.admin_overrides import (
    Override,
    OverrideResult,
    change_override,
    publish_slot_state,
    slot_for,
    slot_sessions,
)
from api_service.services.slots import SlotRead

bp = Blueprint("admin_overrides", __name__, url_prefix=PREFIX)


def _admin_slot(lot_code: str, read: SlotRead, override: Override | None) -> AdminSlot:
    return AdminSlot(
        slot=slot_view(lot_code, read),
        override_status=override.status if override else None,
        override_until=override.until if override else None,
        override_reason=override.reason if override else None,
    )


def _respond(path: SlotPath, result: OverrideResult) -> AdminSlot:
    broker = optional_broker()
    if broker is not None:
        # After the commit, under the read side's lot lock; if it fails, ingest's outbox
        # publishes the state (and the lot's availability) at its next sweep.
        publish_slot_state(database().sessions, broker, result.lot_id, path.slot_id)
    return _admin_slot(path.lot_id, result.read, result.override)


@bp.get("/slots/<lot_id>/<slot_id>")
@endpoint(
    RouteSpec(
        "A slot with its override in force",
        STAFF,
        "admin: slots",
        rate="user",
        path=SlotPath,
        response=AdminSlot,
        errors=(403, 404),
    )
)
def get_slot(path: SlotPath) -> AdminSlot:
    read, override = slot_for(db_session(), current_tenant(), path.lot_id, path.slot_id, utcnow())
    return _admin_slot(path.lot_id, read, override)


@bp.get("/slots/<lot_id>/<slot_id>/sessions")
@endpoint(
    RouteSpec(
        "A slot's parking sessions, most recently recorded first",
        STAFF,
        "admin: slots",
        rate="user",
        path=SlotPath,
        query=PageQuery,
        response=SlotSessionPage,
        errors=(403, 404),
    )
)
def list_slot_sessions(path: SlotPath, query: PageQuery) -> SlotSessionPage:
    session = db_session()
    read, _ = slot_for(session, current_tenant(), path.lot_id, path.slot_id, utcnow())
    before = pagination.decode_id(query.cursor)
    stays = slot_sessions(session, read.id, before=before, limit=query.limit)
    items = [
        SlotSessionView(
            id=s.id,
            started_at=s.started_at,
            ended_at=s.ended_at,
            duration_s=s.duration_s,
            opened_by=s.opened_by,
            driver_checked_in=s.user_id is not None,
        )
        for s in stays
    ]
    cursor = pagination.next_cursor(stays, query.limit, lambda s: s.id)
    return SlotSessionPage(items=items, next_cursor=cursor)


@bp.put("/slots/<lot_id>/<slot_id>/override")
@endpoint(
    RouteSpec(
        "Override a slot's status (audited)",
        STAFF,
        "admin: slots",
        rate="user",
        path=SlotPath,
        body=OverrideBody,
        response=AdminSlot,
        errors=(403, 404, 413, 415),
    )
)
def set_override(path: SlotPath, body: OverrideBody) -> AdminSlot:
    now = utcnow()
    if body.until is not None and body.until <= now:
        raise validation_error([FieldError("until", "must be in the future")])
    override = Override(body.status, body.reason, body.until)
    result = change_override(
        db_session(), current_tenant(), path.lot_id, path.slot_id, override, now=now
    )
    return _respond(path, result)


@bp.delete("/slots/<lot_id>/<slot_id>/override")
@endpoint(
    RouteSpec(
        "Clear a slot's override: detection decides again (audited)",
        STAFF,
        "admin: slots",
        rate="user",
        path=SlotPath,
        response=AdminSlot,
        errors=(403, 404),
    )
)
def clear_override(path: SlotPath) -> AdminSlot:
    result = change_override(
        db_session(), current_tenant(), path.lot_id, path.slot_id, None, now=utcnow()
    )
    return _respond(path, result)
