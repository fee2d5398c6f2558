"""Read-side payloads the cloud publishes retained: slot state and lot availability."""

from typing import Final, Literal, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from schemas.enums import SlotKind, SlotStatus, StatusSource
from schemas.ids import Identifier
from schemas.messages._base import MAX_INT64, Confidence, Contract
from schemas.messages._time import UtcDatetime

SLOT_STATE_SCHEMA: Final = "parking.slot-state/1"


class SlotState(Contract):
    """A slot's effective status with its freshness, on `.../slots/{slot_id}/state`."""

    # See OccupancyEvent.schema_ for why the attribute name differs from the wire name.
    schema_: Literal["parking.slot-state/1"] = Field(
        default=SLOT_STATE_SCHEMA, alias="schema", description="Payload schema and version."
    )
    lot_id: Identifier = Field(description="Lot the slot belongs to.")
    slot_id: Identifier = Field(description="Slot code, unique within the lot.")
    status: SlotStatus = Field(description="Effective status after overrides and reservations.")
    since: UtcDatetime = Field(description="When the effective status last changed.")
    last_confirmed_at: UtcDatetime | None = Field(
        default=None, description="Latest detection that agreed with the status."
    )
    source: StatusSource = Field(description="Which rule decided the status.")
    confidence: Confidence | None = Field(
        default=None, description="Detector confidence, when the status is detected."
    )


class SlotCounts(Contract):
    """Slot counts by effective status; the five parts add up to `total`."""

    total: int = Field(ge=0, le=MAX_INT64, description="All slots.")
    free: int = Field(ge=0, le=MAX_INT64, description="Slots a driver can take now.")
    occupied: int = Field(ge=0, le=MAX_INT64, description="Occupied slots.")
    reserved: int = Field(ge=0, le=MAX_INT64, description="Slots held by a reservation.")
    unknown: int = Field(ge=0, le=MAX_INT64, description="Slots with no fresh detection.")
    closed: int = Field(ge=0, le=MAX_INT64, description="Slots closed by an operator.")

    @model_validator(mode="after")
    def _parts_add_up(self) -> Self:
        parts = self.free + self.occupied + self.reserved + self.unknown + self.closed
        if parts != self.total:
            raise PydanticCustomError(
                "counts_mismatch",
                "free + occupied + reserved + unknown + closed = {parts}, but total = {total}",
                {"parts": parts, "total": self.total},
            )
        return self


class RowAvailability(SlotCounts):
    """Counts for one row of a floor."""

    name: str = Field(min_length=1, max_length=64, description="Row name, e.g. `A`.")


class FloorAvailability(SlotCounts):
    """Counts for one floor, with its rows."""

    level: int = Field(ge=-20, le=200, description="Floor level; 0 is ground, below is negative.")
    name: str = Field(min_length=1, max_length=64, description="Floor name.")
    rows: list[RowAvailability] = Field(default_factory=list, description="Per-row counts.")


class KindCounts(Contract):
    """Free and total slots of one kind (ev, accessible, ...)."""

    free: int = Field(ge=0, le=MAX_INT64, description="Slots of this kind free now.")
    total: int = Field(ge=0, le=MAX_INT64, description="Slots of this kind.")

    @model_validator(mode="after")
    def _free_within_total(self) -> Self:
        if self.free > self.total:
            raise PydanticCustomError(
                "counts_mismatch", "free = {free} exceeds total = {total}",
                {"free": self.free, "total": self.total},
            )  # fmt: skip
        return self


class Availability(SlotCounts):
    """A lot's availability: the API resource and the retained `.../availability` payload.

    The status counts are physical facts; `open` says whether the lot's opening hours let a
    driver in now, so a closed lot's free slots are not on offer.
    """

    lot_id: Identifier = Field(description="The lot.")
    updated_at: UtcDatetime = Field(description="When these counts were computed.")
    open: bool = Field(
        default=True,
        description="Whether the lot is open now by its opening hours (always, without "
        "them); a closed lot's free slots are not offered to drivers.",
    )
    next_change: UtcDatetime | None = Field(
        default=None,
        description="When `open` next changes by the opening hours; null when it does not "
        "within a year or the lot has none.",
    )
    kinds: dict[SlotKind, KindCounts] = Field(
        default_factory=dict, description="Free and total slots per kind present in the lot."
    )
    floors: list[FloorAvailability] = Field(default_factory=list, description="Per-floor counts.")
