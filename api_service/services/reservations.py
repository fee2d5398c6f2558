"""Reservations: hold one free slot for a bounded time; cancel; list a driver's own.

PostgreSQL's exclusion constraint is what guarantees one holder per slot: two drivers who
both see the slot free both insert, and the constraint refuses the second (409). Expiry is
read from `expires_at` against now; nothing has to run for a hold to end.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api_service.services import pagination
from api_service.services.errors import ConflictError, NotFoundError
from api_service.services.lots import refuse_if_closed
from api_service.services.slots import find_slot
from schemas.db import ParkingLot, Reservation, Slot, User
from schemas.enums import ReservationState, SlotStatus

EXCLUSION_VIOLATION: Final = "23P01"


@dataclass(frozen=True, slots=True)
class ReservationRead:
    id: int
    lot_code: str
    slot_code: str
    state: ReservationState
    starts_at: datetime
    expires_at: datetime
    ended_at: datetime | None


def state_at(stored: ReservationState, expires_at: datetime, now: datetime) -> ReservationState:
    """The state a reservation is in at `now`: an active one past its end has expired."""
    if stored is ReservationState.ACTIVE and now >= expires_at:
        return ReservationState.EXPIRED
    return stored


def lock_user(session: Session, user_id: int) -> None:
    """Serialise one user's booking requests (double-clicks, two devices)."""
    session.execute(select(User.id).where(User.id == user_id).with_for_update())


def touch_slot(session: Session, slot_id: int) -> None:
    """Mark the slot changed: its `updated_at` moves and the change trigger notifies."""
    session.execute(update(Slot).where(Slot.id == slot_id).values(updated_at=func.now()))


def sqlstate(exc: IntegrityError) -> str | None:
    return getattr(exc.orig, "sqlstate", None)


def reserve(
    session: Session,
    user_id: int,
    *,
    lot_code: str,
    slot_code: str,
    now: datetime,
    hold: timedelta,
) -> ReservationRead:
    """Hold a free slot for `hold`; 404 unknown slot, 409 lot closed, slot not free or taken.
    Commits."""
    lock_user(session, user_id)
    if _active_for_user(session, user_id, now):
        raise ConflictError("reservation-limit", "you already hold a reservation; cancel it first")
    slot = find_slot(session, lot_code, slot_code, now)
    if slot is None:
        raise NotFoundError(f"slot {lot_code}/{slot_code}")
    refuse_if_closed(session, slot.lot_id, now)
    if slot.status is not SlotStatus.FREE:
        raise ConflictError("slot-not-free", f"slot {slot_code} is {slot.status}")
    reservation = Reservation(
        user_id=user_id, slot_id=slot.id, lot_id=slot.lot_id, starts_at=now, expires_at=now + hold
    )
    session.add(reservation)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        if sqlstate(exc) == EXCLUSION_VIOLATION:
            raise ConflictError(
                "slot-taken", f"slot {slot_code} was just reserved by someone else"
            ) from exc
        raise
    touch_slot(session, slot.id)
    session.commit()
    return ReservationRead(
        reservation.id, lot_code, slot_code, ReservationState.ACTIVE, now, now + hold, None
    )


def _active_for_user(session: Session, user_id: int, now: datetime) -> bool:
    query = select(Reservation.id).where(
        Reservation.user_id == user_id,
        Reservation.state == ReservationState.ACTIVE,
        Reservation.expires_at > now,
    )
    return session.scalar(query.limit(1)) is not None


def _select_reads() -> Select[Reservation, str, str]:
    return (
        select(Reservation, ParkingLot.code.label("lot_code"), Slot.code.label("slot_code"))
        .join(Slot, Slot.id == Reservation.slot_id)
        .join(ParkingLot, ParkingLot.id == Reservation.lot_id)
    )


def _to_read(
    reservation: Reservation, lot_code: str, slot_code: str, now: datetime
) -> ReservationRead:
    return ReservationRead(
        reservation.id, lot_code, slot_code,
        state_at(reservation.state, reservation.expires_at, now),
        reservation.starts_at, reservation.expires_at, reservation.ended_at,
    )  # fmt: skip


def cancel(session: Session, user_id: int, reservation_id: int, now: datetime) -> ReservationRead:
    """End the driver's own active reservation; 404 if not theirs, 409 if over. Commits."""
    query = _select_reads().where(Reservation.id == reservation_id, Reservation.user_id == user_id)
    found = session.execute(query.with_for_update(of=Reservation)).one_or_none()
    if found is None:
        raise NotFoundError(f"reservation {reservation_id}")
    reservation, lot_code, slot_code = found
    state = state_at(reservation.state, reservation.expires_at, now)
    if state is not ReservationState.ACTIVE:
        raise ConflictError("reservation-over", f"reservation {reservation_id} is already {state}")
    reservation.state, reservation.ended_at = ReservationState.CANCELLED, now
    touch_slot(session, reservation.slot_id)
    session.commit()
    return _to_read(reservation, lot_code, slot_code, now)


def list_mine(
    session: Session, user_id: int, now: datetime, before: int | None, limit: int
) -> list[ReservationRead]:
    """The driver's reservations, newest first, ids below `before`."""
    query = _select_reads().where(Reservation.user_id == user_id)
    rows = session.execute(pagination.keyset(query, Reservation.id, before, limit, descending=True))
    return [_to_read(r, lot, slot, now) for r, lot, slot in rows]


def fulfil(session: Session, reservation_id: int, now: datetime) -> None:
    """Mark a reservation fulfilled (the driver arrived); the caller commits."""
    session.execute(
        update(Reservation)
        .where(Reservation.id == reservation_id, Reservation.state == ReservationState.ACTIVE)
        .values(state=ReservationState.FULFILLED, ended_at=now)
    )
