"""Parking sessions from the app: check in at a slot, exit, list a driver's own.

A slot has at most one open session (a unique partial index), whoever opened it. A driver's
check-in and the camera's detection therefore share one row per stay: if detection opened
the stay first, check-in claims it (sets `user_id`, `opened_by` stays `detection`); if the
driver is first, detection finds the open row and must not open another. Either side may
end it; the first end wins. Arriving at one's own reserved slot fulfils the reservation.
An exit is priced at once (`schemas.db.session_fees`); an open stay shows its cost so far
under the tariff in force at its start, by the same rule (`schemas.tariff.session_fee`).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api_service.db import driver_connection
from api_service.services import pagination
from api_service.services.errors import ConflictError, NotFoundError
from api_service.services.lots import refuse_if_closed
from api_service.services.reservations import fulfil, lock_user, sqlstate, touch_slot
from api_service.services.slots import SlotRead, find_slot
from schemas.db import ParkingLot, ParkingSession, Slot, Tariff
from schemas.db.session_fees import price_sessions, tariff_in_force
from schemas.enums import SlotStatus
from schemas.tariff import session_fee

UNIQUE_VIOLATION: Final = "23505"


@dataclass(frozen=True, slots=True)
class FeeRead:
    amount_minor: int
    currency: str
    tariff_version: int


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
    fee: FeeRead | None = None  # stored once ended, if the lot had a tariff
    fee_so_far: FeeRead | None = None  # while open


def _to_read(
    row: ParkingSession,
    lot: str,
    slot: str,
    reservation: int | None = None,
    *,
    version: int | None = None,
    so_far: FeeRead | None = None,
) -> SessionRead:
    fee = None
    if row.fee_minor is not None and row.fee_currency is not None and version is not None:
        fee = FeeRead(row.fee_minor, row.fee_currency, version)
    return SessionRead(
        row.id, lot, slot, row.opened_by, row.started_at, row.ended_at, row.duration_s,
        reservation, fee, so_far,
    )  # fmt: skip


def _fee_so_far(
    session: Session, stay: ParkingSession, timezone: str, now: datetime
) -> FeeRead | None:
    """What an open stay has cost until `now` under the tariff in force at its start."""
    if stay.ended_at is not None:
        return None
    found = tariff_in_force(driver_connection(session), stay.lot_id, stay.started_at)
    if found is None:
        return None
    until = max(now, stay.started_at)
    fee = session_fee(found.tariff, stay.started_at, until, ZoneInfo(timezone))
    return FeeRead(fee.amount_minor, fee.currency, found.version)


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
    refuse_if_closed(session, slot.lot_id, now)
    stay = _claim_or_open(session, user_id, slot, now)
    if slot.reservation_id is not None:
        fulfil(session, slot.reservation_id, now)
        touch_slot(session, slot.id)
    timezone = session.scalar(select(ParkingLot.timezone).where(ParkingLot.id == slot.lot_id))
    so_far = _fee_so_far(session, stay, timezone or "UTC", now)
    session.commit()
    return _to_read(stay, lot_code, slot_code, slot.reservation_id, so_far=so_far)


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


def _select_reads() -> Select[ParkingSession, str, str, int | None, str]:
    return (
        select(
            ParkingSession,
            ParkingLot.code.label("lot_code"),
            Slot.code.label("slot_code"),
            Tariff.version,
            ParkingLot.timezone,
        )
        .join(Slot, Slot.id == ParkingSession.slot_id)
        .join(ParkingLot, ParkingLot.id == ParkingSession.lot_id)
        .outerjoin(Tariff, Tariff.id == ParkingSession.tariff_id)
    )


def end(session: Session, user_id: int, session_id: int, now: datetime) -> SessionRead:
    """Close the driver's own open session with its duration and fee; 404 / 409. Commits."""
    query = _select_reads().where(
        ParkingSession.id == session_id, ParkingSession.user_id == user_id
    )
    found = session.execute(query.with_for_update(of=ParkingSession)).one_or_none()
    if found is None:
        raise NotFoundError(f"session {session_id}")
    stay, lot_code, slot_code, _, _ = found
    if stay.ended_at is not None:
        raise ConflictError("session-ended", f"session {session_id} has already ended")
    stay.ended_at = max(now, stay.started_at)
    session.flush()
    price_sessions(driver_connection(session), [stay.id])
    # duration_s is computed by PostgreSQL, the fee by price_sessions on the same transaction.
    session.refresh(stay, ["duration_s", "fee_minor", "fee_currency", "tariff_id"])
    version = session.scalar(select(Tariff.version).where(Tariff.id == stay.tariff_id))
    session.commit()
    return _to_read(stay, lot_code, slot_code, version=version)


def list_mine(
    session: Session, user_id: int, before: int | None, limit: int, now: datetime
) -> list[SessionRead]:
    """The driver's sessions, newest first, ids below `before`, with fees."""
    query = _select_reads().where(ParkingSession.user_id == user_id)
    rows = session.execute(
        pagination.keyset(query, ParkingSession.id, before, limit, descending=True)
    ).all()
    return [
        _to_read(stay, lot, slot, version=version, so_far=_fee_so_far(session, stay, timezone, now))
        for stay, lot, slot, version, timezone in rows
    ]
