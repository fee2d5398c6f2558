"""A lot's free-slot forecast for the next hour."""

from pydantic import Field

from api_service.forecast import Basis
from api_service.models.common import Out, Query
from schemas.enums import SlotKind
from schemas.ids import Identifier
from schemas.messages import UtcDatetime


class ForecastQuery(Query):
    """`GET /lots/{lot_id}/forecast`: the whole lot, or its bays of one kind."""

    kind: SlotKind | None = Field(default=None, description="Only bays of this kind.")


class HorizonForecast(Out):
    minutes: int = Field(description="Minutes after `generated_at`.")
    free: float = Field(ge=0, description="Expected free slots then, within [0, capacity].")
    baseline: float | None = Field(
        description="What the lot's usual week says for then; null on `persistence`."
    )


class LotForecast(Out):
    lot_id: Identifier = Field(description="Lot code.")
    kind: SlotKind | None = Field(description="The bay kind forecast; null for the whole lot.")
    generated_at: UtcDatetime
    free_now: int = Field(ge=0, description="Slots free now (the live availability).")
    capacity: int = Field(ge=0, description="Slots in service and not closed now.")
    basis: Basis = Field(
        description="`seasonal`: the lot's usual week by weekday and local time, corrected "
        "by how far it is from it now; `persistence`: too little history, the value now."
    )
    horizons: list[HorizonForecast] = Field(description="15, 30 and 60 minutes ahead.")
