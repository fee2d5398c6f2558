"""Read-side payloads the cloud publishes retained: slot state and lot availability."""

from typing import Final, Literal, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from schemas.enums import SlotStatus, StatusSource
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


class Availability(SlotCounts):
    """A lot's availability: the API resource and the retained `.../availability` payload."""

    lot_id: Identifier = Field(description="The lot.")
    updated_at: UtcDatetime = Field(description="When these counts were computed.")
    floors: list[FloorAvailability] = Field(default_factory=list, description="Per-floor counts.")
