"""A lot's availability document: counts by effective status per lot, floor and row.

`updated_at` is derived from the data (the newest slot change, passed expiry or node
death), not from the clock, so every process computes the same bytes and the same ETag
for the same state. `valid_until` is the next instant an expiry will change the counts.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from api_service.queries.status import facts_join
from schemas.db import Floor, Node, ParkingLot, Reservation, Row, Slot
from schemas.enums import NodeState, ReservationState, SlotStatus
from schemas.messages import Availability, FloorAvailability, RowAvailability

_STATUSES = tuple(status.value for status in SlotStatus)


@dataclass(frozen=True, slots=True)
class LotClock:
    """When the lot's facts last changed, and when an expiry next changes them."""

    updated_at: datetime
    valid_until: datetime | None


def _counts(statuses: dict[str, int]) -> dict[str, int]:
    out = {status: statuses.get(status, 0) for status in _STATUSES}
    out["total"] = sum(out.values())
    return out


def count_rows(session: Session, lot_id: int, now: datetime) -> list[Any]:
    """(level, floor name, row name, status, n) for every row, empty rows included."""
    join = facts_join(now, lot_id)
    status = join.status(now).label("status")
    slots_on = and_(Slot.row_id == Row.id, Slot.retired_at.is_(None))
    query = (
        select(Floor.level, Floor.name.label("floor_name"), Row.name.label("row_name"),
               status, func.count(Slot.id).label("n"))
        .select_from(
            Floor.__table__.join(Row, Row.floor_id == Floor.id).outerjoin(join.source, slots_on)
        )
        .where(Floor.lot_id == lot_id)
        .group_by(Floor.level, Floor.name, Row.id, Row.name, Row.position, status)
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


def build_availability(code: str, rows: list[Any], updated_at: datetime) -> Availability:
    """Assemble the document from per-row status counts (pure)."""
    floors: dict[int, tuple[str, dict[str, dict[str, int]]]] = {}
    for level, floor_name, row_name, status, n in rows:
        _, floor_rows = floors.setdefault(level, (floor_name, {}))
        row_counts = floor_rows.setdefault(row_name, {})
        if status is not None:
            row_counts[status] = row_counts.get(status, 0) + n
    floor_docs = []
    lot_totals: dict[str, int] = {}
    for level, (floor_name, floor_rows) in floors.items():
        floor_totals: dict[str, int] = {}
        row_docs = []
        for row_name, statuses in floor_rows.items():
            row_docs.append(RowAvailability(name=row_name, **_counts(statuses)))
            for status, n in statuses.items():
                floor_totals[status] = floor_totals.get(status, 0) + n
        floor_docs.append(
            FloorAvailability(level=level, name=floor_name, rows=row_docs, **_counts(floor_totals))
        )
        for status, n in floor_totals.items():
            lot_totals[status] = lot_totals.get(status, 0) + n
    return Availability(
        lot_id=code, updated_at=updated_at, floors=floor_docs, **_counts(lot_totals)
    )


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
    return Computed(lot.id, build_availability(lot.code, rows, clock.updated_at), clock.valid_until)
