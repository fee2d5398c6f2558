"""Slots with their effective status and freshness, computed at read time."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api_service.services import pagination
from api_service.services.status import facts_from_row, facts_join, slot_facts_columns, with_facts
from schemas.db import Floor, ParkingLot, Row, Slot
from schemas.enums import SlotKind, SlotStatus, StatusSource
from schemas.status import effective_status


@dataclass(frozen=True, slots=True)
class SlotRead:
    """One slot as drivers see it now."""

    id: int
    lot_id: int
    code: str
    floor: int | None
    row: str | None
    kind: SlotKind
    status: SlotStatus
    source: StatusSource
    since: datetime
    last_confirmed_at: datetime | None
    confidence: float | None
    reservation_id: int | None
    reserved_by: int | None


@dataclass(frozen=True, slots=True)
class SlotFilters:
    floor: int | None = None
    row: str | None = None
    status: SlotStatus | None = None
    kind: SlotKind | None = None


def _since(row: Any, status: SlotStatus, source: StatusSource) -> datetime:
    """Since when the status holds: the deciding fact's own time where there is one."""
    deciding = {
        StatusSource.ADMIN: row.closed_at,
        StatusSource.OVERRIDE: row.override_set_at,
        StatusSource.RESERVATION: row.reserved_since,
    }.get(source)
    if deciding is not None:
        return deciding  # type: ignore[no-any-return]
    if row.stored_status == status.value:
        return row.status_since  # type: ignore[no-any-return]
    return row.detected_at or row.status_since  # type: ignore[no-any-return]


def to_read(row: Any, now: datetime) -> SlotRead:
    """Decide one selected slot's status with the shared precedence rule."""
    status, source = effective_status(facts_from_row(row), now)
    return SlotRead(
        id=row.id,
        lot_id=row.lot_id,
        code=row.code,
        floor=row.level,
        row=row.row_name,
        kind=SlotKind(row.kind),
        status=status,
        source=source,
        since=_since(row, status, source),
        last_confirmed_at=row.last_confirmed_at,
        confidence=row.detected_confidence if source is StatusSource.DETECTED else None,
        reservation_id=row.reservation_id if source is StatusSource.RESERVATION else None,
        reserved_by=row.reserved_by if source is StatusSource.RESERVATION else None,
    )


def _select(now: datetime, lot_id: int) -> tuple[Any, Any]:
    join = facts_join(now, lot_id)
    query = select(
        Slot.id, Slot.lot_id, Slot.code, Slot.kind, Slot.detected_at, Slot.detected_confidence,
        Slot.last_confirmed_at, Slot.override_set_at, Slot.status.label("stored_status"),
        Slot.status_since, Floor.level, Row.name.label("row_name"), *slot_facts_columns(join),
    )  # fmt: skip
    query = with_facts(query, join).outerjoin(Row, Row.id == Slot.row_id)
    query = query.outerjoin(Floor, Floor.id == Row.floor_id).where(Slot.lot_id == lot_id)
    return query, join


def list_slots(
    session: Session,
    lot_id: int,
    now: datetime,
    filters: SlotFilters,
    *,
    after: str | None,
    limit: int,
) -> list[SlotRead]:
    """One page of the lot's slots by code, filtered (status filter in SQL, same rule)."""
    query, join = _select(now, lot_id)
    if filters.floor is not None:
        query = query.where(Floor.level == filters.floor)
    if filters.row is not None:
        query = query.where(Row.name == filters.row)
    if filters.kind is not None:
        query = query.where(Slot.kind == filters.kind)
    if filters.status is not None:
        query = query.where(join.status(now) == filters.status.value)
    rows = session.execute(pagination.keyset(query, Slot.code, after, limit))
    return [to_read(row, now) for row in rows]


def find_slot(session: Session, lot_code: str, slot_code: str, now: datetime) -> SlotRead | None:
    """One slot in service by lot and slot code, or None."""
    lot_id = session.scalar(select(ParkingLot.id).where(ParkingLot.code == lot_code))
    if lot_id is None:
        return None
    query, _ = _select(now, lot_id)
    row = session.execute(query.where(Slot.code == slot_code)).one_or_none()
    return to_read(row, now) if row is not None else None
