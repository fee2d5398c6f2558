"""Admin and operator documents: lots and their layout, floors, rows, slots, overrides."""

from typing import Annotated, Final, Literal

from pydantic import Field

from api_service.models.common import Body, Cursor, LotPath, Out
from api_service.models.lots import SlotView
from schemas.enums import OverrideStatus, SlotKind
from schemas.ids import Identifier
from schemas.layout import Location
from schemas.messages import UtcDatetime

REASON_MAX: Final = 500
Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^\S(.*\S)?$")]
Level = Annotated[int, Field(ge=-20, le=200, description="Floor level.")]


class FloorPath(LotPath):
    level: Level


class RowPath(FloorPath):
    row: Name = Field(description="Row name.")


class AdminLot(Out):
    lot_id: Identifier
    name: str
    operator: Identifier
    floors: int = Field(ge=0)
    slots: int = Field(ge=0, description="Slots in service.")
    retired_slots: int = Field(ge=0, description="Slots kept for their history only.")
    nodes: int = Field(ge=0, description="Registered camera nodes.")


class AdminLotPage(Out):
    items: list[AdminLot]


class ImportResult(Out):
    """What a layout change did; `changed` is false for a repeated import."""

    lot_id: Identifier
    created: bool
    changed: bool
    counts: dict[str, int] = Field(description="Floors/rows/slots added, removed, retired, ...")


class LotPatch(Body):
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    address: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    location: Location | None = None
    timezone: str | None = Field(default=None, max_length=64, description="IANA time zone.")


class FloorPatch(Body):
    name: Name


class RowPatch(Body):
    name: Name = Field(description="The row's new name; its slots move with it.")


class SlotCreate(Body):
    code: Identifier = Field(description="Slot code, unique within the lot.")
    kind: SlotKind = SlotKind.STANDARD
    floor: Level
    row: Name


class SlotPatch(Body):
    kind: SlotKind | None = None
    floor: Level | None = Field(default=None, description="Move to this floor (with `row`).")
    row: Name | None = Field(default=None, description="Move to this row.")


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
