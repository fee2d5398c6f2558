"""A lot's free-slot forecast: its hourly rollups and its slots free now, then the pure model.

The history is `occupancy_hourly` (per lot and bay kind; summed over kinds for the whole
lot) for the last `HISTORY_WEEKS` weeks of complete hours. Free now is the live count:
the lot's availability document for the whole lot (the caller's cached one), the same
effective-status SQL (`services/status.py`) over the bays of one kind otherwise.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api_service.forecast import HISTORY_WEEKS, Forecast, RollupHour, build_profile, forecast
from api_service.services.errors import NotFoundError
from api_service.services.status import facts_join, with_facts
from schemas.db import OccupancyHourly, ParkingLot, Slot
from schemas.enums import SlotKind, SlotStatus


@dataclass(frozen=True, slots=True)
class Live:
    """Slots free now, and slots that could be (in service, not closed)."""

    free: int
    capacity: int


def live_of_kind(session: Session, lot_id: int, kind: SlotKind, now: datetime) -> Live:
    """Free and open bays of one kind now, by the effective status at read time."""
    join = facts_join(now, lot_id)
    status = join.status(now).label("status")
    query = with_facts(select(status, func.count(Slot.id)), join).where(
        Slot.lot_id == lot_id, Slot.kind == kind.value
    )
    counts = {row[0]: row[1] for row in session.execute(query.group_by(status))}
    free = counts.get(SlotStatus.FREE.value, 0)
    return Live(free, sum(counts.values()) - counts.get(SlotStatus.CLOSED.value, 0))


def rollup_history(
    session: Session, lot_id: int, kind: SlotKind | None, now: datetime
) -> list[RollupHour]:
    """The complete hours of the last weeks, oldest first; every kind summed without `kind`."""
    until = now.replace(minute=0, second=0, microsecond=0)
    hourly = OccupancyHourly
    query = (
        select(
            hourly.hour, func.sum(hourly.slots), func.sum(hourly.free_avg),
            func.sum(hourly.unknown_avg),
        )
        .where(
            hourly.lot_id == lot_id,
            hourly.hour >= until - timedelta(weeks=HISTORY_WEEKS),
            hourly.hour < until,
        )
        .group_by(hourly.hour)
        .order_by(hourly.hour)
    )  # fmt: skip
    if kind is not None:
        query = query.where(hourly.kind == kind.value)
    return [
        RollupHour(hour, int(n), float(free), float(unknown))
        for hour, n, free, unknown in session.execute(query)
    ]


def lot_forecast(
    session: Session,
    code: str,
    kind: SlotKind | None,
    now: datetime,
    lot_live: Callable[[], Live | None],
) -> Forecast:
    """Lot `code`'s forecast at `now`; `lot_live` gives the whole lot's counts now."""
    lot = session.scalar(select(ParkingLot).where(ParkingLot.code == code))
    live = None
    if lot is not None:
        live = lot_live() if kind is None else live_of_kind(session, lot.id, kind, now)
    if lot is None or live is None:
        raise NotFoundError(f"lot {code}")
    profile = build_profile(rollup_history(session, lot.id, kind, now), ZoneInfo(lot.timezone))
    return forecast(profile, now, live.free, live.capacity)
