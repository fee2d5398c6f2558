"""Lots for staff: tenant-checked lookup, the layout as a document, and changing it.

Every layout change, from a whole-file import to one slot, goes through
`schemas.db.layout_import.import_layout`, the code path of `parkctl lots import`.
"""

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import Session, selectinload

from api_service.access import Tenant
from api_service.audit import Actor, record
from api_service.services.errors import ConflictError, FieldError, InvalidError, NotFoundError
from schemas.db import (
    AuditEntry,
    Floor,
    Node,
    Operator,
    ParkingLot,
    ParkingSession,
    Reservation,
    Slot,
    SlotEvent,
)
from schemas.db.layout_import import ImportReport, import_layout
from schemas.db.tariffs import latest_tariff
from schemas.layout import LayoutError, LotLayout, parse_layout


def layout_error(exc: LayoutError) -> InvalidError:
    """400 naming each bad place of the layout."""
    errors = []
    for problem in exc.problems:
        place, _, message = problem.partition(": ")
        errors.append(FieldError(place, message) if message else FieldError("body", place))
    named = "; ".join(exc.problems)
    return InvalidError(errors, "invalid-layout", named)


def lot_for(session: Session, tenant: Tenant, code: str, *, lock: bool = False) -> ParkingLot:
    """The lot `code` if the caller may manage it: 404 unknown, 403 another operator's."""
    query = select(ParkingLot).where(ParkingLot.code == code)
    lot = session.scalar(query.with_for_update() if lock else query)
    if lot is None:
        raise NotFoundError(f"lot {code}")
    tenant.require(lot.operator_id, f"lot {code}")
    return lot


def operator_id(session: Session, code: str) -> int | None:
    return session.scalar(select(Operator.id).where(Operator.code == code))


def list_lots(session: Session, tenant: Tenant) -> list[Any]:
    """The caller's lots with floor, slot and node counts, by code."""
    in_service = func.count(Slot.id).filter(Slot.retired_at.is_(None))
    floors = select(func.count()).where(Floor.lot_id == ParkingLot.id).scalar_subquery()
    nodes = select(func.count()).where(Node.lot_id == ParkingLot.id).scalar_subquery()
    query = (
        select(
            ParkingLot.code,
            ParkingLot.name,
            Operator.code.label("operator"),
            floors.label("floors"),
            in_service.label("slots"),
            func.count(Slot.id).filter(Slot.retired_at.is_not(None)).label("retired_slots"),
            nodes.label("nodes"),
        )
        .join(Operator, Operator.id == ParkingLot.operator_id)
        .outerjoin(Slot, Slot.lot_id == ParkingLot.id)
        .group_by(ParkingLot.id, Operator.code)
        .order_by(ParkingLot.code)
    )
    if tenant.scope is not None:
        query = query.where(ParkingLot.operator_id == tenant.scope)
    return list(session.execute(query))


def export_layout(session: Session, lot: ParkingLot) -> dict[str, Any]:
    """The lot's layout document (slots in service only), as `parkctl lots import` reads it."""
    operator = session.scalar(select(Operator.code).where(Operator.id == lot.operator_id))
    session.refresh(lot)
    floors = session.scalars(
        select(Floor)
        .where(Floor.lot_id == lot.id)
        .options(selectinload(Floor.rows))
        .order_by(Floor.level)
    ).all()
    slots: dict[int, list[dict[str, Any]]] = {}
    query = select(Slot).where(Slot.lot_id == lot.id, Slot.retired_at.is_(None))
    for slot in session.scalars(query.order_by(Slot.position, Slot.code)):
        if slot.row_id is not None:
            slots.setdefault(slot.row_id, []).append({"code": slot.code, "kind": slot.kind.value})
    return {
        "code": lot.code,
        "name": lot.name,
        "operator": operator,
        "address": lot.address,
        "location": {"lat": lot.latitude, "lon": lot.longitude},
        "timezone": lot.timezone,
        "opening_hours": lot.opening_hours,
        "floors": [
            {
                "level": floor.level,
                "name": floor.name,
                "rows": [{"name": row.name, "slots": slots.get(row.id, [])} for row in floor.rows],
            }
            for floor in floors
        ],
        **_tariff(session, lot.id),
    }


def _tariff(session: Session, lot_id: int) -> dict[str, Any]:
    """The newest tariff version, so an exported layout imports without adding one."""
    latest = latest_tariff(session, lot_id)
    return {} if latest is None else {"tariff": latest.definition}


def _import(
    session: Session, tenant: Tenant, layout: LotLayout, *, create_only: bool
) -> ImportReport:
    owner = operator_id(session, layout.operator)
    if owner is None:
        problem = FieldError("operator", f"unknown operator {layout.operator!r}")
        raise InvalidError([problem], "invalid-layout", problem.message)
    tenant.require(owner, f"operator {layout.operator}")
    existing = session.scalar(select(ParkingLot).where(ParkingLot.code == layout.code))
    if existing is not None:
        if create_only:
            raise ConflictError("lot-exists", f"lot {layout.code} already exists")
        tenant.require(existing.operator_id, f"lot {layout.code}")
    try:
        report = import_layout(session, layout, actor=tenant.email)
    except LayoutError as exc:
        session.rollback()
        raise layout_error(exc) from exc
    # import_layout names the actor; link its entry (made in this transaction: `at` is the
    # transaction's now()) to the user as well.
    session.execute(
        update(AuditEntry)
        .where(
            AuditEntry.at == func.now(),
            AuditEntry.actor == tenant.email,
            AuditEntry.actor_id.is_(None),
            AuditEntry.entity_id == layout.code,
        )
        .values(actor_id=tenant.user_id)
    )
    return report


def apply_layout(
    session: Session, tenant: Tenant, layout: LotLayout, *, create_only: bool = False
) -> ImportReport:
    """Import `layout` for a caller allowed to run the lot and its operator. Commits."""
    report = _import(session, tenant, layout, create_only=create_only)
    session.commit()
    return report


def edit_layout(
    session: Session, tenant: Tenant, code: str, change: Callable[[dict[str, Any]], None]
) -> tuple[ImportReport, ParkingLot]:
    """Apply `change` to the lot's layout document and import it; the caller commits."""
    lot = lot_for(session, tenant, code, lock=True)
    document = export_layout(session, lot)
    change(document)
    try:
        layout = parse_layout(json.dumps(document))
    except LayoutError as exc:
        raise layout_error(exc) from exc
    return _import(session, tenant, layout, create_only=False), lot


def _has_history(session: Session, lot_id: int) -> bool:
    used = [
        exists().where(model.lot_id == lot_id)
        for model in (SlotEvent, ParkingSession, Reservation, Node)
    ]
    return bool(session.scalar(select(used[0] | used[1] | used[2] | used[3])))


def delete_lot(session: Session, tenant: Tenant, code: str) -> None:
    """Delete a lot that has no history and no nodes (409 otherwise). Commits."""
    lot = lot_for(session, tenant, code, lock=True)
    if _has_history(session, lot.id):
        raise ConflictError("lot-in-use", f"lot {code} has history or nodes; it cannot be deleted")
    before = export_layout(session, lot)
    session.execute(delete(Slot).where(Slot.lot_id == lot.id))
    session.delete(lot)
    record(
        session,
        Actor(tenant.user_id, tenant.email),
        "lot.delete",
        ("parking_lot", code),
        operator_id=lot.operator_id,
        before=before,
        after=None,
    )
    session.commit()
