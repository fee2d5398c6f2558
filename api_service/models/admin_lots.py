"""Admin and operator documents: lots and their layout, floors, rows, slots."""

from typing import Annotated

from pydantic import AfterValidator, Field

from api_service.models.common import Body, LotPath, Out
from schemas.enums import SlotKind
from schemas.ids import Identifier
from schemas.layout import Location
from schemas.messages import UtcDatetime
from schemas.opening_hours import MAX_LENGTH, check_expression

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


class OpeningHoursBody(Body):
    opening_hours: (
        Annotated[str, Field(max_length=MAX_LENGTH + 64), AfterValidator(check_expression)] | None
    ) = Field(
        description="OSM opening_hours expression in the lot's time zone, e.g. "
        "'Mo-Fr 07:00-22:00; Sa 08:00-18:00; PH off'; null: always open."
    )


class LotOpeningHours(Out):
    """The lot's opening hours as stored, and what they say now."""

    lot_id: Identifier
    opening_hours: str | None = Field(description="Null: always open.")
    open_now: bool
    next_change: UtcDatetime | None = Field(description="When `open_now` next changes.")
    changed: bool = Field(description="False when the hours were already these.")


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
