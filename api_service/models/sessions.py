"""Parking sessions: a driver's stay in a slot, check-in to exit."""

from typing import Literal

from pydantic import Field

from api_service.models.common import Cursor, Out
from schemas.ids import Identifier
from schemas.messages import UtcDatetime


class SessionFee(Out):
    amount_minor: int = Field(description="In the currency's minor unit (cents for EUR).")
    currency: str = Field(description="ISO 4217 code.", examples=["EUR"])
    tariff_version: int = Field(description="The lot's tariff version it was computed with.")


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
    fee: SessionFee | None = Field(
        default=None,
        description="What the ended stay cost under the lot's tariff in force at its start; "
        "null while open or when the lot had no tariff (the price is unknown).",
    )
    fee_so_far: SessionFee | None = Field(
        default=None,
        description="For an open stay, what it has cost until now by the same rule.",
    )


class SessionPage(Out):
    items: list[SessionView]
    next_cursor: Cursor | None = Field(description="Pass as `cursor` for the next page.")
