"""A lot's availability document: counts by effective status per lot, floor and row.

`updated_at` is derived from the data (the newest slot change, passed expiry or node
death), not from the clock, so every process computes the same bytes and the same ETag
for the same state. `valid_until` is the next instant an expiry will change the counts or
the lot opens or closes by its opening hours.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from api_service.services.status import facts_join
from schemas.availability import build_availability
from schemas.db import Floor, Node, ParkingLot, Reservation, Row, Slot
from schemas.enums import NodeState, ReservationState
from schemas.messages import Availability
from schemas.opening_hours import lot_open_state


@dataclass(frozen=True, slots=True)
class LotClock:
    """When the lot's facts last changed, and when an expiry next changes them."""

    updated_at: datetime
    valid_until: datetime | None


def count_rows(session: Session, lot_id: int, now: datetime) -> list[Any]:
    """(level, floor name, row name, kind, status, n) for every row, empty rows included."""
    join = facts_join(now, lot_id)
    status = join.status(now).label("status")
    slots_on = and_(Slot.row_id == Row.id, Slot.retired_at.is_(None))
    query = (
        select(Floor.level, Floor.name.label("floor_name"), Row.name.label("row_name"),
               Slot.kind, status, func.count(Slot.id).label("n"))
        .select_from(
            Floor.__table__.join(Row, Row.floor_id == Floor.id).outerjoin(join.source, slots_on)
        )
        .where(Floor.lot_id == lot_id)
        .group_by(Floor.level, Floor.name, Row.id, Row.name, Row.position, Slot.kind, status)
        .order_by(Floor.level, Row.position, Row.name)
    )  # fmt: skip
    return list(session.execute(query))


def lot_clock(session: Session, lot: ParkingLot, now: datetime) -> LotClock:
    """The lot's last change and next expiry, in one round trip."""
    in_lot = Slot.lot_id == lot.id
    held = and_(Reservation.lot_id == lot.id, Reservation.state == ReservationState.ACTIVE)
    query = select(
        select(func.max(Slot.updated_at)).where(in_lot).scalar_subquery(),
        select(func.max(Slot.override_until))
        .where(in_lot, Slot.override_status.is_not(None), Slot.override_until <= now)
        .scalar_subquery(),
        select(func.max(Reservation.expires_at))
        .where(held, Reservation.expires_at <= now).scalar_subquery(),
        select(func.max(Node.updated_at))
        .where(Node.lot_id == lot.id, Node.state != NodeState.ONLINE).scalar_subquery(),
        select(func.min(Slot.override_until))
        .where(in_lot, Slot.override_status.is_not(None), Slot.override_until > now)
        .scalar_subquery(),
        select(func.min(Reservation.expires_at))
        .where(held, Reservation.expires_at > now).scalar_subquery(),
    )  # fmt: skip
    row = session.execute(query).one()
    changed = [value for value in row[:4] if value is not None]
    upcoming = [value for value in row[4:] if value is not None]
    return LotClock(max(changed, default=lot.updated_at), min(upcoming, default=None))


@dataclass(frozen=True, slots=True)
class Computed:
    """An availability document, the lot's id, and when it next changes by itself."""

    lot_id: int
    document: Availability
    valid_until: datetime | None


def compute_availability(session: Session, code: str, now: datetime) -> Computed | None:
    """The document for lot `code` at `now`, or None for an unknown lot.

    `session` must be fresh: the whole read runs in one REPEATABLE READ snapshot, so the
    counts and `updated_at` describe the same state.
    """
    session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    lot = session.scalar(select(ParkingLot).where(ParkingLot.code == code))
    if lot is None:
        return None
    rows = count_rows(session, lot.id, now)
    clock = lot_clock(session, lot, now)
    hours = lot_open_state(lot, now)
    document = build_availability(lot.code, rows, clock.updated_at, hours)
    changes = [when for when in (clock.valid_until, hours.next_change) if when is not None]
    return Computed(lot.id, document, min(changes, default=None))
