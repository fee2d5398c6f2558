"""Prices for drivers: a lot's tariff in force, and a quote for a stay."""

from datetime import UTC, date, datetime
from typing import Final

from pydantic import Field

from api_service.errors import FieldError
from api_service.models.common import Out, Query
from schemas.ids import Identifier
from schemas.messages import UtcDatetime, format_utc
from schemas.tariff import Tariff

QUOTE_MAX_MINUTES: Final = 31 * 24 * 60
# Pricing walks the lot's local days up to the day after the stay: the last days of
# datetime's range have no day after them.
QUOTE_LATEST: Final = datetime(9999, 12, 30, tzinfo=UTC)


class CurrentTariff(Tariff):
    """The lot's tariff in force now; a stay is priced by the one in force at its start."""

    version: int = Field(ge=1, description="The lot's tariff version.")
    valid_from: UtcDatetime = Field(description="In force since.")


class TariffSummary(Out):
    """A lot's tariff in force, in short, for lists."""

    currency: str = Field(examples=["EUR"])
    free_minutes: int
    hour_max_minor: int = Field(description="The most an hour within one period costs.")
    daily_cap_minor: int | None


class QuoteQuery(Query):
    """`minutes` from now, or a stay `from` ... `to`."""

    minutes: int | None = Field(
        default=None, ge=0, le=QUOTE_MAX_MINUTES, description="Length of a stay starting now."
    )
    start: UtcDatetime | None = Field(default=None, alias="from", description="Stay's start.")
    end: UtcDatetime | None = Field(default=None, alias="to", description="Stay's end.")

    def problems(self) -> list[FieldError]:
        if (self.minutes is None) == (self.start is None and self.end is None):
            return [FieldError("minutes", "give either minutes or from and to")]
        if self.minutes is None and (self.start is None or self.end is None):
            return [FieldError("to" if self.end is None else "from", "from and to go together")]
        if self.start is not None and self.end is not None:
            if self.end < self.start:
                return [FieldError("to", "must not be before from")]
            if (self.end - self.start).total_seconds() > QUOTE_MAX_MINUTES * 60:
                return [FieldError("to", f"a quote covers at most {QUOTE_MAX_MINUTES} minutes")]
            if self.end >= QUOTE_LATEST:
                return [FieldError("to", f"must be before {format_utc(QUOTE_LATEST)}")]
        return []


class QuoteDay(Out):
    day: date = Field(description="Local calendar day of the lot.")
    amount_minor: int
    capped: bool = Field(description="The day's charge reached the tariff's daily cap.")


class Quote(Out):
    lot_id: Identifier
    started_at: UtcDatetime
    ended_at: UtcDatetime
    amount_minor: int = Field(description="In the currency's minor unit (cents for EUR).")
    currency: str = Field(examples=["EUR"])
    tariff_version: int
    days: list[QuoteDay] = Field(description="Each local day with a charge, in order.")
