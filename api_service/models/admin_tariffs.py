"""A lot's tariff for staff: the version in force and every version kept."""

from pydantic import Field

from api_service.models.common import Body, Out
from schemas.ids import Identifier
from schemas.messages import UtcDatetime
from schemas.tariff import Tariff


class TariffVersion(Out):
    version: int = Field(ge=1, description="Rises by one with every change to the lot's tariff.")
    valid_from: UtcDatetime = Field(description="In force from then until a later version is.")
    created_at: UtcDatetime
    created_by: str | None = Field(description="Who stored it (null: a layout import).")
    tariff: Tariff


class LotTariff(Out):
    lot_id: Identifier
    current: TariffVersion | None = Field(
        description="The version in force now: the highest with valid_from at or before now."
    )
    versions: list[TariffVersion] = Field(description="Every version, newest first.")


class TariffPut(Body):
    tariff: Tariff
    valid_from: UtcDatetime | None = Field(
        default=None,
        description="When the new version takes effect (not in the past); default now. "
        "A stay is priced by the version in force at its start.",
    )
