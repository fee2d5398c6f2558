"""Reservations: a driver's bounded hold on a slot."""

from pydantic import Field

from api_service.models.common import Cursor, Out
from schemas.enums import ReservationState
from schemas.ids import Identifier
from schemas.messages import UtcDatetime


class ReservationView(Out):
    id: int
    lot_id: Identifier
    slot_id: Identifier
    state: ReservationState = Field(description="`expired` once `expires_at` has passed.")
    starts_at: UtcDatetime
    expires_at: UtcDatetime
    ended_at: UtcDatetime | None = Field(description="When it was cancelled or fulfilled.")


class ReservationPage(Out):
    items: list[ReservationView]
    next_cursor: Cursor | None = Field(description="Pass as `cursor` for the next page.")
