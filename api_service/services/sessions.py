"""Parking sessions from the app: check in at a slot, exit, list a driver's own.

A slot has at most one open session (a unique partial index), whoever opened it. A driver's
check-in and the camera's detection therefore share one row per stay: if detection opened
the stay first, check-in claims it (sets `user_id`, `opened_by` stays `detection`); if the
driver is first, detection finds the open row and must not open another. Either side may
end it; the first end wins. Arriving at one's own reserved slot fulfils the reservation.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api_service.services import pagination
from api_service.services.errors import ConflictError, NotFoundError
from api_service.services.reservations import fulfil, lock_user, sqlstate, touch_slot
from api_service.services.slots import SlotRead, find_slot
from schemas.db import ParkingLot, ParkingSession, Slot
from schemas.enums import SlotStatus

UNIQUE_VIOLATION: Final = "23505"


@dataclass(frozen=True, slots=True)
class SessionRead:
    id: int
    lot_code: str
    slot_code: str
    opened_by: str
    started_at: datetime
    ended_at: datetime | None
    duration_s: float | None
    reservation_id: int | None = None


def _to_read(
    row: ParkingSession, lot: str, slot: str, reservation: int | None = None
) -> SessionRead:
    return SessionRead(
        row.id, lot, slot, row.opened_by, row.started_at, row.ended_at, row.duration_s, reservation
    )


def _check_slot(slot: SlotRead | None, user_id: int, lot: str, code: str) -> SlotRead:
    if slot is None:
        raise NotFoundError(f"slot {lot}/{code}")
    if slot.status is SlotStatus.CLOSED:
        raise ConflictError("slot-closed", f"slot {code} is closed")
    if slot.status is SlotStatus.RESERVED and slot.reserved_by != user_id:
        raise ConflictError("slot-reserved", f"slot {code} is reserved by another driver")
    return slot


def check_in(
    session: Session, user_id: int, lot_code: str, slot_code: str, now: datetime
) -> SessionRead:
    """Open (or join the detected) session at the slot for the driver. Commits."""
    lock_user(session, user_id)
    if _open_for_user(session, user_id) is not None:
        raise ConflictError("already-parked", "end your current parking session first")
    slot = _check_slot(find_slot(session, lot_code, slot_code, now), user_id, lot_code, slot_code)
    stay = _claim_or_open(session, user_id, slot, now)
    if slot.reservation_id is not None:
        fulfil(session, slot.reservation_id, now)
        touch_slot(session, slot.id)
    session.commit()
    return _to_read(stay, lot_code, slot_code, slot.reservation_id)


def _claim_or_open(session: Session, user_id: int, slot: SlotRead, now: datetime) -> ParkingSession:
    for _attempt in range(2):
        open_stay = session.scalar(
            select(ParkingSession)
            .where(ParkingSession.slot_id == slot.id, ParkingSession.ended_at.is_(None))
            .with_for_update()
        )
        if open_stay is not None:
            if open_stay.user_id is not None:
                raise ConflictError(
                    "slot-occupied", f"slot {slot.code} has another driver's session"
                )
            open_stay.user_id = user_id
            session.flush()
            return open_stay
        stay = ParkingSession(
            slot_id=slot.id, lot_id=slot.lot_id, user_id=user_id, opened_by="driver", started_at=now
        )
        try:
            with session.begin_nested():
                session.add(stay)
        except IntegrityError as exc:
            # Detection (or another driver) opened the stay meanwhile: look again.
            if sqlstate(exc) != UNIQUE_VIOLATION:
                raise
            continue
        return stay
    raise ConflictError("slot-busy", f"slot {slot.code} is changing; try again")


def _open_for_user(session: Session, user_id: int) -> int | None:
    query = select(ParkingSession.id).where(
        ParkingSession.user_id == user_id, ParkingSession.ended_at.is_(None)
    )
    return session.scalar(query.limit(1))


def _select_reads() -> Select[ParkingSession, str, str]:
    return (
        select(ParkingSession, ParkingLot.code.label("lot_code"), Slot.code.label("slot_code"))
        .join(Slot, Slot.id == ParkingSession.slot_id)
        .join(ParkingLot, ParkingLot.id == ParkingSession.lot_id)
    )


def end(session: Session, user_id: int, session_id: int, now: datetime) -> SessionRead:
    """Close the driver's own open session with its duration; 404 / 409. Commits."""
    query = _select_reads().where(
        ParkingSession.id == session_id, ParkingSession.user_id == user_id
    )
    found = session.execute(query.with_for_update(of=ParkingSession)).one_or_none()
    if found is None:
        raise NotFoundError(f"session {session_id}")
    stay, lot_code, slot_code = found
    if stay.ended_at is not None:
        raise ConflictError("session-ended", f"session {session_id} has already ended")
    stay.ended_at = max(now, stay.started_at)
    session.flush()
    session.refresh(stay, ["duration_s"])  # computed by PostgreSQL
    session.commit()
    return _to_read(stay, lot_code, slot_code)


def list_mine(session: Session, user_id: int, before: int | None, limit: int) -> list[SessionRead]:
    """The driver's sessions, newest first, ids below `before`."""
    query = _select_reads().where(ParkingSession.user_id == user_id)
    rows = session.execute(
        pagination.keyset(query, ParkingSession.id, before, limit, descending=True)
    )
    return [_to_read(stay, lot, slot) for stay, lot, slot in rows]
