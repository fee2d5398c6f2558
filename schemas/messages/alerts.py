"""The retained `parking/v1/lots/{lot}/alerts` payload: a lot's open alerts, for staff."""

from typing import Final, Literal

from pydantic import Field

from schemas.ids import Identifier
from schemas.messages._base import MAX_INT64, Contract, Label
from schemas.messages._time import UtcDatetime

LOT_ALERTS_SCHEMA: Final = "parking.lot-alerts/1"


class OpenAlert(Contract):
    """One alert that is firing now."""

    id: int = Field(ge=1, le=MAX_INT64, description="Alert id (admin API `/admin/alerts`).")
    rule_id: int = Field(ge=1, le=MAX_INT64, description="The rule that fired it.")
    kind: Label = Field(description="Rule kind, e.g. `lot_full`, `node_offline`.")
    subject: str = Field(
        min_length=1, max_length=200, description="Lot code, node id, or `lot/slot`."
    )
    fired_at: UtcDatetime = Field(description="When it fired (after its hold time).")
    value: float | None = Field(
        default=None, allow_inf_nan=False, description="The measured value when it fired."
    )
    message: str = Field(max_length=500, description="A one-line description for people.")


class LotAlerts(Contract):
    """Every open alert of a lot, oldest first; an empty list once all have resolved."""

    schema_: Literal["parking.lot-alerts/1"] = Field(
        default=LOT_ALERTS_SCHEMA, alias="schema", description="Payload schema and version."
    )
    lot_id: Identifier = Field(description="The lot.")
    alerts: list[OpenAlert] = Field(max_length=1000, description="Open alerts, oldest first.")
