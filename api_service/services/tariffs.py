"""Prices for drivers: the tariff in force (`schemas.db.session_fees`), and quotes priced
by the same rule as stays (`schemas.tariff.session_fee`)."""

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from api_service.db import driver_connection
from api_service.services.errors import NotFoundError
from schemas.db import ParkingLot
from schemas.db.session_fees import StoredTariff, tariff_in_force, tariffs_in_force
from schemas.tariff import Fee, session_fee


def current_tariff(session: Session, lot_id: int, now: datetime) -> StoredTariff | None:
    """The lot's tariff in force at `now`, or None when it publishes no price."""
    return tariff_in_force(driver_connection(session), lot_id, now)


def current_tariffs(
    session: Session, lot_codes: Sequence[str], now: datetime
) -> dict[str, StoredTariff]:
    """The tariff in force at `now` of each listed lot that has one, by lot code."""
    query = select(ParkingLot.id, ParkingLot.code).where(ParkingLot.code.in_(lot_codes))
    ids: dict[int, str] = dict(session.execute(query).all())
    found = tariffs_in_force(driver_connection(session), list(ids), now)
    return {ids[lot_id]: stored for lot_id, stored in found.items()}


def quote(
    session: Session, lot_code: str, started_at: datetime, ended_at: datetime
) -> tuple[StoredTariff, Fee]:
    """What a stay would cost under the tariff in force at its start; 404 for an unknown lot
    or one without a tariff then."""
    lot = session.scalar(select(ParkingLot).where(ParkingLot.code == lot_code))
    if lot is None:
        raise NotFoundError(f"lot {lot_code}")
    found = tariff_in_force(driver_connection(session), lot.id, started_at)
    if found is None:
        raise NotFoundError(f"a tariff of lot {lot_code} at {started_at.isoformat()}")
    return found, session_fee(found.tariff, started_at, ended_at, ZoneInfo(lot.timezone))
