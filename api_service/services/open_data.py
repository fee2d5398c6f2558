"""What the open-data feeds read: lots with their place and capacity, a lot's slots.

Counts come from the availability documents (`api_service.availability`), statuses of
slots from `services.slots`: both apply the one effective-status rule of
`services.status`, so the feeds never decide a status themselves.
"""

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api_service.open_data.facts import COUNT_KEYS, LotFacts, SpotFacts, full_counts
from api_service.services import slots
from schemas.db import Operator, ParkingLot, Slot
from schemas.messages import Availability

Counts = Callable[[str], Availability | None]
"""The availability document of a lot code now (None once the lot is gone)."""


def _lots(session: Session, code: str | None) -> list[Any]:
    query = (
        select(ParkingLot, Operator.code.label("operator"))
        .join(Operator, Operator.id == ParkingLot.operator_id)
        .order_by(ParkingLot.code)
    )
    if code is not None:
        query = query.where(ParkingLot.code == code)
    return list(session.execute(query))


def capacity_by_kind(session: Session, lot_ids: list[int]) -> dict[int, dict[str, int]]:
    """Slots in service per lot and kind (static: no status involved)."""
    query = (
        select(Slot.lot_id, Slot.kind, func.count())
        .where(Slot.lot_id.in_(lot_ids), Slot.retired_at.is_(None))
        .group_by(Slot.lot_id, Slot.kind)
    )
    out: dict[int, dict[str, int]] = {}
    for lot_id, kind, n in session.execute(query):
        out.setdefault(lot_id, {})[str(kind)] = n
    return out


def _kind_counts(document: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """Per-kind counts when the availability document carries them (`kinds`)."""
    kinds = document.get("kinds") or {}
    return {str(kind): _present_counts(counts) for kind, counts in kinds.items()}


def _present_counts(data: Mapping[str, Any]) -> dict[str, int]:
    """The counts a per-kind entry has (e.g. only free and total)."""
    return {key: int(data[key]) for key in COUNT_KEYS if key in data}


def lot_facts(session: Session, counts: Counts, code: str | None = None) -> list[LotFacts]:
    """Every lot (or lot `code`) by code, with its availability counts."""
    rows = _lots(session, code)
    capacity = capacity_by_kind(session, [row.ParkingLot.id for row in rows])
    out = []
    for row in rows:
        lot = row.ParkingLot
        document = counts(lot.code)
        if document is None:
            continue  # deleted since the listing
        data = document.model_dump()
        open_now = data.get("open")
        out.append(
            LotFacts(
                code=lot.code, name=lot.name, address=lot.address, operator=row.operator,
                lat=lot.latitude, lon=lot.longitude, timezone=lot.timezone,
                updated_at=document.updated_at, layout_updated_at=lot.updated_at,
                counts=full_counts(data), capacity=capacity.get(lot.id, {}),
                kinds=_kind_counts(data), opening_hours=lot.opening_hours,
                open_now=open_now if isinstance(open_now, bool) else None,
            )
        )  # fmt: skip
    return out


def spot_facts(
    session: Session, lot: LotFacts, lot_id: int, now: datetime, *, after: str | None, limit: int
) -> list[SpotFacts]:
    """One page of lot `lot`'s slots by code, each with its effective status now."""
    page = slots.list_slots(session, lot_id, now, slots.SlotFilters(), after=after, limit=limit)
    return [
        SpotFacts(
            lot_code=lot.code, code=read.code, lat=lot.lat, lon=lot.lon, kind=read.kind,
            status=read.status, since=read.since, floor=read.floor, row=read.row,
        )
        for read in page
    ]  # fmt: skip


def lot_id(session: Session, code: str) -> int | None:
    found: int | None = session.scalar(select(ParkingLot.id).where(ParkingLot.code == code))
    return found
