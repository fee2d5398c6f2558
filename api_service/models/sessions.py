"""Parking sessions: a driver's stay in a slot, check-in to exit."""

from typing import Literal

from pydantic import Field

from api_service.models.common import Cursor, Out
from schemas.ids import Identifier
from schemas.messages import UtcDatetime


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
