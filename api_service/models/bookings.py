"""Reservations (a bounded hold on a slot) and parking sessions (check-in to exit)."""

from typing import Literal

from pydantic import Field

from api_service.models.common import Body, Cursor, Out
from schemas.enums import ReservationState
from schemas.ids import Identifier
from schemas.messages import UtcDatetime


class SlotRef(Body):
    """The slot to reserve or park at."""

    lot_id: Identifier = Field(description="Lot code.")
    slot_id: Identifier = Field(description="Slot code.")


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


class SessionView(Out):
    id: int
    lot_id: Identifier
    slot_id: Identifier
    opened_by: Literal["detection", "driver"] = Field(
        description="`detection` when the driver's check-in joined a stay the camera saw first."
    )
    started_at: UtcDatetime
    ended_at: UtcDatetime | None
    duration_s: float | None = Field(description="Length of the stay once ended, seconds.")
    reservation_id: int | None = Field(
        default=None, description="The reservation this check-in fulfilled."
    )


class SessionPage(Out):
    items: list[SessionView]
    next_cursor: Cursor | None = Field(description="Pass as `cursor` for the next page.")
