"""`/admin/lots`: lots, their whole layout, and floor/row/slot changes (staff, own lots)."""

import json
from collections.abc import Callable
from typing import Any, Final

from flask import Blueprint, Response

from api_service import layout_edits as edits
from api_service.access import STAFF, current_tenant
from api_service.audit import record
from api_service.clock import utcnow
from api_service.db import db_session
from api_service.endpoint import RouteSpec, endpoint
from api_service.errors import FieldError, validation_error
from api_service.models.admin_lots import (
    AdminLot,
    AdminLotPage,
    FloorPatch,
    FloorPath,
    ImportResult,
    LotOpeningHours,
    LotPatch,
    OpeningHoursBody,
    RowPatch,
    RowPath,
    SlotCreate,
    SlotPatch,
)
from api_service.models.common import LotPath, SlotPath
from api_service.resources.admin_common import PREFIX, actor, import_result
from api_service.services import admin_lots
from schemas.layout import FloorSpec, LotLayout, RowSpec
from schemas.opening_hours import lot_open_state

bp = Blueprint("admin_lots", __name__, url_prefix=PREFIX)
_WRITE = (403, 404, 409, 413, 415)
DOCUMENT_MAX_BYTES: Final = 4 * 1024 * 1024  # a 20,000-slot layout


def _spec(summary: str, **kwargs: Any) -> RouteSpec:
    return RouteSpec(summary, STAFF, "admin: lots", rate="user", **kwargs)


def _edit(
    code: str,
    change: Callable[[dict[str, Any]], None],
    action: str,
    entity: tuple[str, str],
    after: dict[str, Any] | None,
) -> ImportResult:
    """Change the layout document, import it, and audit the specific change."""
    session = db_session()
    before: dict[str, Any] = {}

    def audited(document: dict[str, Any]) -> None:
        before.update(_snapshot(document, entity))
        change(document)

    report, lot = admin_lots.edit_layout(session, current_tenant(), code, audited)
    record(
        session,
        actor(),
        action,
        entity,
        operator_id=lot.operator_id,
        before=before or None,
        after=after,
    )
    session.commit()
    return import_result(report)


def _snapshot(document: dict[str, Any], entity: tuple[str, str]) -> dict[str, Any]:
    """The entity as it was, for the audit entry's `before`."""
    kind, name = entity
    if kind == "slot":
        code = name.split("/", 1)[1]
        found = edits.locate(document, code)
        if found is not None:
            floor, row, slot = found
            return {"floor": floor["level"], "row": row["name"], **slot}
    if kind == "parking_lot":
        return {k: v for k, v in document.items() if k != "floors"}
    return {}


@bp.get("/lots")
@endpoint(_spec("The lots the caller runs", response=AdminLotPage))
def list_lots() -> AdminLotPage:
    rows = admin_lots.list_lots(db_session(), current_tenant())
    return AdminLotPage(
        items=[AdminLot.model_validate(row._asdict() | {"lot_id": row.code}) for row in rows]
    )


@bp.post("/lots")
@endpoint(
    _spec(
        "Create a lot from a layout document",
        body=LotLayout,
        response=ImportResult,
        status=201,
        errors=_WRITE,
        max_body=DOCUMENT_MAX_BYTES,
    )
)
def create_lot(body: LotLayout) -> ImportResult:
    report = admin_lots.apply_layout(db_session(), current_tenant(), body, create_only=True)
    return import_result(report)


@bp.get("/lots/<lot_id>/layout")
@endpoint(
    _spec(
        "The lot's layout document (slots in service)",
        path=LotPath,
        response=LotLayout,
        errors=(403, 404),
    )
)
def get_layout(path: LotPath) -> LotLayout:
    session = db_session()
    lot = admin_lots.lot_for(session, current_tenant(), path.lot_id)
    return LotLayout.model_validate_json(json.dumps(admin_lots.export_layout(session, lot)))


@bp.put("/lots/<lot_id>/layout")
@endpoint(
    _spec(
        "Import a whole layout (as `parkctl lots import`)",
        path=LotPath,
        body=LotLayout,
        response=ImportResult,
        errors=_WRITE,
        max_body=DOCUMENT_MAX_BYTES,
    )
)
def put_layout(path: LotPath, body: LotLayout) -> ImportResult:
    if body.code != path.lot_id:
        raise validation_error(
            [FieldError("code", f"must be the lot in the path, {path.lot_id!r}")]
        )
    return import_result(admin_lots.apply_layout(db_session(), current_tenant(), body))


@bp.patch("/lots/<lot_id>")
@endpoint(
    _spec(
        "Change a lot's name, address, location or time zone",
        path=LotPath,
        body=LotPatch,
        response=ImportResult,
        errors=_WRITE,
    )
)
def patch_lot(path: LotPath, body: LotPatch) -> ImportResult:
    values = body.model_dump(exclude_none=True, mode="json")

    def change(document: dict[str, Any]) -> None:
        document.update(values)

    return _edit(path.lot_id, change, "lot.update", ("parking_lot", path.lot_id), values)


@bp.put("/lots/<lot_id>/opening-hours")
@endpoint(
    _spec(
        "Set (or clear: null) the lot's opening hours",
        path=LotPath,
        body=OpeningHoursBody,
        response=LotOpeningHours,
        errors=_WRITE,
    )
)
def put_opening_hours(path: LotPath, body: OpeningHoursBody) -> LotOpeningHours:
    hours = body.opening_hours

    def change(document: dict[str, Any]) -> None:
        document["opening_hours"] = hours

    entity = ("parking_lot", path.lot_id)
    result = _edit(path.lot_id, change, "lot.opening_hours", entity, {"opening_hours": hours})
    lot = admin_lots.lot_for(db_session(), current_tenant(), path.lot_id)
    state = lot_open_state(lot, utcnow())
    return LotOpeningHours(
        lot_id=path.lot_id, opening_hours=hours, open_now=state.open,
        next_change=state.next_change, changed=result.changed,
    )  # fmt: skip


@bp.delete("/lots/<lot_id>")
@endpoint(
    _spec("Delete a lot without history or nodes", path=LotPath, status=204, errors=(403, 404, 409))
)
def delete_lot(path: LotPath) -> Response:
    admin_lots.delete_lot(db_session(), current_tenant(), path.lot_id)
    return Response(status=204)


@bp.post("/lots/<lot_id>/floors")
@endpoint(
    _spec(
        "Add a floor with its rows and slots",
        path=LotPath,
        body=FloorSpec,
        response=ImportResult,
        status=201,
        errors=_WRITE,
        max_body=DOCUMENT_MAX_BYTES,
    )
)
def add_floor(path: LotPath, body: FloorSpec) -> ImportResult:
    floor = body.model_dump(mode="json")
    entity = ("floor", f"{path.lot_id}/{body.level}")
    return _edit(path.lot_id, lambda d: edits.add_floor(d, floor), "floor.create", entity, floor)


@bp.patch("/lots/<lot_id>/floors/<level>")
@endpoint(
    _spec("Rename a floor", path=FloorPath, body=FloorPatch, response=ImportResult, errors=_WRITE)
)
def patch_floor(path: FloorPath, body: FloorPatch) -> ImportResult:
    entity = ("floor", f"{path.lot_id}/{path.level}")
    return _edit(
        path.lot_id,
        lambda d: edits.rename_floor(d, path.level, body.name),
        "floor.update",
        entity,
        {"name": body.name},
    )


@bp.delete("/lots/<lot_id>/floors/<level>")
@endpoint(
    _spec(
        "Remove a floor (slots with history are retired)",
        path=FloorPath,
        response=ImportResult,
        errors=(403, 404, 409),
    )
)
def delete_floor(path: FloorPath) -> ImportResult:
    entity = ("floor", f"{path.lot_id}/{path.level}")
    return _edit(
        path.lot_id, lambda d: edits.delete_floor(d, path.level), "floor.delete", entity, None
    )


@bp.post("/lots/<lot_id>/floors/<level>/rows")
@endpoint(
    _spec(
        "Add a row with its slots",
        path=FloorPath,
        body=RowSpec,
        response=ImportResult,
        status=201,
        errors=_WRITE,
        max_body=DOCUMENT_MAX_BYTES,
    )
)
def add_row(path: FloorPath, body: RowSpec) -> ImportResult:
    row = body.model_dump(mode="json")
    entity = ("row", f"{path.lot_id}/{path.level}/{body.name}")
    return _edit(
        path.lot_id, lambda d: edits.add_row(d, path.level, row), "row.create", entity, row
    )


@bp.patch("/lots/<lot_id>/floors/<level>/rows/<row>")
@endpoint(
    _spec(
        "Rename a row (its slots move with it)",
        path=RowPath,
        body=RowPatch,
        response=ImportResult,
        errors=_WRITE,
    )
)
def patch_row(path: RowPath, body: RowPatch) -> ImportResult:
    entity = ("row", f"{path.lot_id}/{path.level}/{path.row}")
    return _edit(
        path.lot_id,
        lambda d: edits.rename_row(d, path.level, path.row, body.name),
        "row.update",
        entity,
        {"name": body.name},
    )


@bp.delete("/lots/<lot_id>/floors/<level>/rows/<row>")
@endpoint(
    _spec(
        "Remove a row (slots with history are retired)",
        path=RowPath,
        response=ImportResult,
        errors=(403, 404, 409),
    )
)
def delete_row(path: RowPath) -> ImportResult:
    entity = ("row", f"{path.lot_id}/{path.level}/{path.row}")
    return _edit(
        path.lot_id, lambda d: edits.delete_row(d, path.level, path.row), "row.delete", entity, None
    )


@bp.post("/lots/<lot_id>/slots")
@endpoint(
    _spec(
        "Add a slot to a row (a retired code comes back with its history)",
        path=LotPath,
        body=SlotCreate,
        response=ImportResult,
        status=201,
        errors=_WRITE,
    )
)
def add_slot(path: LotPath, body: SlotCreate) -> ImportResult:
    slot = {"code": body.code, "kind": body.kind.value}
    entity = ("slot", f"{path.lot_id}/{body.code}")
    return _edit(
        path.lot_id,
        lambda d: edits.add_slot(d, body.floor, body.row, slot),
        "slot.create",
        entity,
        body.model_dump(mode="json"),
    )


@bp.patch("/slots/<lot_id>/<slot_id>")
@endpoint(
    _spec(
        "Change a slot's kind or move it to another row",
        path=SlotPath,
        body=SlotPatch,
        response=ImportResult,
        errors=_WRITE,
    )
)
def patch_slot(path: SlotPath, body: SlotPatch) -> ImportResult:
    kind = body.kind.value if body.kind is not None else None
    entity = ("slot", f"{path.lot_id}/{path.slot_id}")
    return _edit(
        path.lot_id,
        lambda d: edits.update_slot(d, path.slot_id, kind, body.floor, body.row),
        "slot.update",
        entity,
        body.model_dump(mode="json", exclude_none=True),
    )


@bp.delete("/slots/<lot_id>/<slot_id>")
@endpoint(
    _spec(
        "Remove a slot: retired if it has history, else deleted",
        path=SlotPath,
        response=ImportResult,
        errors=(403, 404, 409),
    )
)
def delete_slot(path: SlotPath) -> ImportResult:
    entity = ("slot", f"{path.lot_id}/{path.slot_id}")
    return _edit(
        path.lot_id, lambda d: edits.delete_slot(d, path.slot_id), "slot.delete", entity, None
    )
