"""Admin and operator documents: a slot's manual override and its parking sessions."""

from typing import Annotated, Final, Literal

from pydantic import Field

from api_service.models.common import Body, Cursor, Out
from api_service.models.lots import SlotView
from schemas.enums import OverrideStatus
from schemas.messages import UtcDatetime

REASON_MAX: Final = 500


class OverrideBody(Body):
    """A manual status for a slot whose detection is wrong."""

    status: OverrideStatus
    reason: Annotated[str, Field(min_length=1, max_length=REASON_MAX)] = Field(
        description="Why (kept in the audit log)."
    )
    until: UtcDatetime | None = Field(
        default=None, description="When detection takes over again; none: until cleared."
    )


class AdminSlot(Out):
    """A slot as drivers see it, with its override (while it is in force)."""

    slot: SlotView
    override_status: OverrideStatus | None
    override_until: UtcDatetime | None
    override_reason: str | None


class SlotSessionView(Out):
    """A stay in the slot; drivers' identities are not shown to staff."""

    id: int
    started_at: UtcDatetime
    ended_at: UtcDatetime | None = Field(description="None while the car is still there.")
    duration_s: float | None
    opened_by: Literal["detection", "driver"] = Field(
        description="A camera's occupied transition, or a driver's check-in in the app."
    )
    driver_checked_in: bool = Field(description="A driver's app session is linked to it.")


class SlotSessionPage(Out):
    items: list[SlotSessionView]
    next_cursor: Cursor | None = Field(description="Pass as `cursor` for older sessions.")
