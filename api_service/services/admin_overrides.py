"""A slot for staff: its override (set or clear, audited, with its retained state) and stays.

The slot row is locked as ingest locks it (FOR NO KEY UPDATE), the stored effective status
is recomputed with the shared rule and `state_version` raised, so ingest's read-side outbox
republishes it (with the lot's availability) even if the API's own publish fails.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from api_service.access import Tenant
from api_service.audit import Actor, record
from api_service.broker_admin import BrokerError, Outbound
from api_service.db import driver_connection
from api_service.services import pagination
from api_service.services.admin_lots import lot_for
from api_service.services.errors import NotFoundError
from api_service.services.slots import SlotRead, find_slot
from schemas.db import ParkingLot, ParkingSession, Slot
from schemas.db.locks import PUBLISH_LOCK_CLASS
from schemas.db.slot_status import store_effective_status
from schemas.enums import OverrideStatus
from schemas.read_side import slot_state_message

log = logging.getLogger(__name__)


class Publisher(Protocol):
    def publish(self, messages: list[Outbound]) -> None: ...


@dataclass(frozen=True, slots=True)
class Override:
    status: OverrideStatus
    reason: str
    until: datetime | None


@dataclass(frozen=True, slots=True)
class OverrideResult:
    lot_id: int
    read: SlotRead
    override: Override | None


def _describe(read: SlotRead, slot: Slot) -> dict[str, Any]:
    return {
        "status": read.status.value,
        "source": read.source.value,
        "override": None
        if slot.override_status is None
        else {
            "status": slot.override_status.value,
            "until": slot.override_until,
            "reason": slot.override_reason,
        },
    }


def slot_for(
    session: Session, tenant: Tenant, lot_code: str, slot_code: str, now: datetime
) -> tuple[SlotRead, Override | None]:
    """The slot as drivers read it and its override while in force: 404 / 403."""
    lot_for(session, tenant, lot_code)
    read = find_slot(session, lot_code, slot_code, now)
    slot = session.get(Slot, read.id) if read is not None else None
    if read is None or slot is None:
        raise NotFoundError(f"slot {lot_code}/{slot_code}")
    status, until = slot.override_status, slot.override_until
    if status is None or (until is not None and until <= now):
        return read, None
    return read, Override(status, slot.override_reason or "", until)


def slot_sessions(
    session: Session, slot_id: int, *, before: int | None, limit: int
) -> list[ParkingSession]:
    """The slot's parking sessions, most recently recorded first, ids below `before`."""
    query = select(ParkingSession).where(ParkingSession.slot_id == slot_id)
    page = pagination.keyset(query, ParkingSession.id, before, limit, descending=True)
    return list(session.scalars(page))


def _locked_slot(session: Session, lot: ParkingLot, code: str) -> Slot:
    query = select(Slot).where(Slot.lot_id == lot.id, Slot.code == code, Slot.retired_at.is_(None))
    slot = session.scalar(query.with_for_update(key_share=True))
    if slot is None:
        raise NotFoundError(f"slot {lot.code}/{code}")
    return slot


def change_override(
    session: Session,
    tenant: Tenant,
    lot_code: str,
    slot_code: str,
    override: Override | None,
    *,
    now: datetime,
) -> OverrideResult:
    """Set (or, with None, clear) the slot's override; audited. Commits."""
    lot = lot_for(session, tenant, lot_code)
    slot = _locked_slot(session, lot, slot_code)
    before_read = find_slot(session, lot_code, slot_code, now)
    assert before_read is not None  # noqa: S101 - locked above
    before = _describe(before_read, slot)
    slot.override_status = override.status if override else None
    slot.override_reason = override.reason if override else None
    slot.override_until = override.until if override else None
    slot.override_set_at = now if override else None
    slot.override_by = tenant.user_id if override else None
    session.flush()
    # Stored as ingest stores it; a raised state_version has the read side republish it.
    store_effective_status(driver_connection(session), [slot.id], now)
    session.expire(slot)
    after_read = find_slot(session, lot_code, slot_code, now)
    assert after_read is not None  # noqa: S101
    action = "slot.override_set" if override else "slot.override_clear"
    record(
        session,
        Actor(tenant.user_id, tenant.email),
        action,
        ("slot", f"{lot_code}/{slot_code}"),
        operator_id=lot.operator_id,
        before=before,
        after=_describe(after_read, slot),
    )
    session.commit()
    return OverrideResult(lot.id, after_read, override)


def publish_slot_state(
    sessions: sessionmaker[Session], publisher: Publisher, lot_id: int, slot_code: str
) -> bool:
    """Publish the slot's stored state retained, under the read side's lot lock.

    False when the broker refused or was unreachable: the state stays in ingest's outbox.
    """
    with sessions() as session, session.begin():
        session.execute(
            text("SELECT pg_advisory_xact_lock(:a, CAST(:b AS integer))"),
            {"a": PUBLISH_LOCK_CLASS, "b": lot_id},
        )
        row = session.execute(
            select(
                ParkingLot.code,
                Slot.code,
                Slot.status,
                Slot.status_since,
                Slot.last_confirmed_at,
                Slot.status_source,
                Slot.detected_confidence,
            )
            .join(ParkingLot, ParkingLot.id == Slot.lot_id)
            .where(Slot.lot_id == lot_id, Slot.code == slot_code)
        ).one()
        lot_code, code, status, since, confirmed, source, confidence = row
        topic, payload = slot_state_message(
            lot_code, code, status=status, since=since, last_confirmed_at=confirmed,
            source=source, confidence=confidence,
        )  # fmt: skip
        try:
            publisher.publish([Outbound(topic, payload, True)])
        except BrokerError as exc:
            log.warning("slot state %s/%s left to ingest's outbox: %s", lot_code, code, exc)
            return False
    return True
