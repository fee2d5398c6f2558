"""Query-layer results to response models (shared by several blueprints)."""

from api_service.models.lots import SlotView
from api_service.models.reservations import ReservationView
from api_service.models.sessions import SessionFee, SessionView
from api_service.models.tariffs import CurrentTariff, TariffSummary
from api_service.services.reservations import ReservationRead
from api_service.services.sessions import FeeRead, SessionRead
from api_service.services.slots import SlotRead
from schemas.db.session_fees import StoredTariff
from schemas.tariff import hour_price_max


def slot_view(lot_code: str, read: SlotRead) -> SlotView:
    return SlotView(
        lot_id=lot_code,
        slot_id=read.code,
        floor=read.floor,
        row=read.row,
        kind=read.kind,
        status=read.status,
        since=read.since,
        last_confirmed_at=read.last_confirmed_at,
        source=read.source,
        confidence=read.confidence,
    )


def reservation_view(read: ReservationRead) -> ReservationView:
    return ReservationView(
        id=read.id,
        lot_id=read.lot_code,
        slot_id=read.slot_code,
        state=read.state,
        starts_at=read.starts_at,
        expires_at=read.expires_at,
        ended_at=read.ended_at,
    )


def session_view(read: SessionRead) -> SessionView:
    return SessionView(
        id=read.id,
        lot_id=read.lot_code,
        slot_id=read.slot_code,
        opened_by=read.opened_by,
        started_at=read.started_at,
        ended_at=read.ended_at,
        duration_s=read.duration_s,
        reservation_id=read.reservation_id,
        fee=_fee(read.fee),
        fee_so_far=_fee(read.fee_so_far),
    )


def _fee(read: FeeRead | None) -> SessionFee | None:
    return None if read is None else SessionFee.model_validate(read, from_attributes=True)


def tariff_view(stored: StoredTariff | None) -> CurrentTariff | None:
    if stored is None:
        return None
    document = stored.tariff.model_dump()
    return CurrentTariff(**document, version=stored.version, valid_from=stored.valid_from)


def tariff_summary(stored: StoredTariff | None) -> TariffSummary | None:
    if stored is None:
        return None
    tariff = stored.tariff
    return TariffSummary(
        currency=tariff.currency,
        free_minutes=tariff.free_minutes,
        hour_max_minor=hour_price_max(tariff),
        daily_cap_minor=tariff.daily_cap_minor,
    )
