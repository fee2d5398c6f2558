"""A lot's tariff and the fee of one stay: pure, in integer minor units (cents), no floats.

A `Tariff` is a currency, free minutes, an optional cap per day and priced `periods`: on the
given weekdays (`Mo` ... `Su`, as in OpenStreetMap's opening_hours), from a local `start` to a
local `end` (`"08:00"`, `"18:00"`; `end` may be `"24:00"`), `price_minor` per started
`unit_minutes`. Periods of one weekday may touch but not overlap; one never runs past
midnight (write 22:00-24:00 and 00:00-06:00 of the next day). Time no period covers is free.

`session_fee` prices a stay [started_at, ended_at) in the lot's IANA time zone:

1. **Free minutes.** The first `free_minutes` of every stay are free: a stay no longer than
   that costs 0, and a longer one is charged from `started_at + free_minutes` on (the free
   minutes are deducted, not lost).
2. **Started units.** Charging walks forward from there. In a period, units of that
   period's `unit_minutes` follow each other; each unit that starts costs the period's full
   `price_minor`, even if the stay ends or the period ends during it. A unit that runs over
   a period's end covers that time (the next period's units start where it ends); free time
   costs nothing and the next period's first unit starts when that period begins.
3. **Cap per day.** A unit counts on the local calendar day it starts on; each day's sum is
   at most `daily_cap_minor`. Free minutes, units and caps apply in that order.
4. **Real time.** Periods are local wall-clock times, turned into instants on each date, and
   units are measured in real elapsed time: the day clocks go forward (2026-03-29 in Berlin)
   has 23 hours, the day they go back (2026-10-25) 25. A boundary at a wall time that happens
   twice is its first occurrence; one at a wall time that does not exist is the instant the
   clocks jump.

The fee is `amount_minor` in `currency`, with the charge of each local day that has one;
it is at most `MAX_FEE_MINOR` (21,474,836.47 in a two-decimal currency), what a stay of
years under an uncapped tariff could pass.
"""

import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Final, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from schemas.payments import currency_problem

WEEKDAYS: Final = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")  # date.weekday() order
MINUTES_PER_DAY: Final = 24 * 60
MAX_PERIODS: Final = 100
MAX_PRICE_MINOR: Final = 1_000_000_00  # per unit or per day
# The most a stay is charged: PostgreSQL's integer (parking_sessions.fee_minor).
MAX_FEE_MINOR: Final = 2**31 - 1

Minutes = Annotated[int, Field(ge=1, le=MINUTES_PER_DAY)]
Amount = Annotated[int, Field(ge=0, le=MAX_PRICE_MINOR)]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


def _minute_of_day(value: str, *, end: bool) -> int:
    """ "08:30" -> 510; "24:00" only as an end."""
    hours, colon, minutes = value.partition(":")
    digits = hours + minutes  # ASCII: str.isdigit() also takes full-width digits
    ok = colon and len(hours) == 2 and len(minutes) == 2 and digits.isascii() and digits.isdigit()
    minute = int(hours) * 60 + int(minutes) if ok else -1
    last = MINUTES_PER_DAY if end else MINUTES_PER_DAY - 1
    if not ok or int(minutes) > 59 or not 0 <= minute <= last:
        allowed = "00:00 to 24:00" if end else "00:00 to 23:59"
        raise ValueError(f"{value!r} is not a local time HH:MM from {allowed}")
    return minute


class Period(_Strict):
    """A priced stretch of local time on some weekdays."""

    days: list[str] = Field(
        min_length=1, max_length=7, description="Weekdays: Mo, Tu, We, Th, Fr, Sa, Su."
    )
    start: str = Field(description='Local start time, "HH:MM".', examples=["08:00"])
    end: str = Field(description='Local end time, "HH:MM" or "24:00".', examples=["18:00"])
    price_minor: Amount = Field(description="Price of each started unit, in minor units.")
    unit_minutes: Minutes = Field(description="Length of one unit, in minutes.")

    @field_validator("days")
    @classmethod
    def _weekdays(cls, value: list[str]) -> list[str]:
        unknown = [day for day in value if day not in WEEKDAYS]
        if unknown:
            raise ValueError(f"unknown weekday {unknown[0]!r}: use {', '.join(WEEKDAYS)}")
        repeated = sorted({day for day in value if value.count(day) > 1}, key=WEEKDAYS.index)
        if repeated:
            raise ValueError(f"weekday {repeated[0]!r} given twice")
        return sorted(value, key=WEEKDAYS.index)

    @field_validator("start")
    @classmethod
    def _start_time(cls, value: str) -> str:
        _minute_of_day(value, end=False)
        return value

    @field_validator("end")
    @classmethod
    def _end_time(cls, value: str) -> str:
        _minute_of_day(value, end=True)
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if self.end_minute == self.start_minute:
            raise ValueError(f"empty range {self.start}-{self.end}: end must be after start")
        if self.end_minute < self.start_minute:
            raise ValueError(
                f"end {self.end} is before start {self.start}: a period ends by midnight; "
                f"write {self.start}-24:00 and 00:00-{self.end} of the next day"
            )
        return self

    @property
    def start_minute(self) -> int:
        return _minute_of_day(self.start, end=False)

    @property
    def end_minute(self) -> int:
        return _minute_of_day(self.end, end=True)


class Tariff(_Strict):
    """What parking in a lot costs; time no period covers is free."""

    currency: str = Field(description="ISO 4217 code, e.g. EUR.", examples=["EUR"])
    free_minutes: int = Field(
        default=0, ge=0, le=MINUTES_PER_DAY, description="Free minutes at the start of a stay."
    )
    daily_cap_minor: Amount | None = Field(
        default=None, description="Most charged per local calendar day, in minor units."
    )
    periods: list[Period] = Field(default_factory=list, max_length=MAX_PERIODS)

    @field_validator("currency")
    @classmethod
    def _iso_4217(cls, value: str) -> str:
        problem = currency_problem(value)
        if problem is not None:
            raise ValueError(f"currency {problem}")
        return value

    @model_validator(mode="after")
    def _no_overlaps(self) -> Self:
        problems = list(self._overlaps())
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _overlaps(self) -> Iterator[str]:
        seen: dict[str, list[tuple[int, Period]]] = {day: [] for day in WEEKDAYS}
        for i, period in enumerate(self.periods):
            for day in period.days:
                for j, other in seen[day]:
                    if (
                        period.start_minute < other.end_minute
                        and other.start_minute < period.end_minute
                    ):
                        yield (
                            f"periods[{i}] ({day} {period.start}-{period.end}) overlaps "
                            f"periods[{j}] ({day} {other.start}-{other.end})"
                        )
                        break
                seen[day].append((i, period))


def hour_price_max(tariff: Tariff) -> int:
    """The most an hour within one period costs (its started units counted whole); 0 for a
    tariff without periods. A summary for lists, not a fee."""
    return max(
        (-(-60 // p.unit_minutes) * p.price_minor for p in tariff.periods),
        default=0,
    )


@dataclass(frozen=True, slots=True)
class DayFee:
    """The charge of one local calendar day of a stay."""

    day: date
    amount_minor: int
    capped: bool  # the day's units came to more than daily_cap_minor


@dataclass(frozen=True, slots=True)
class Fee:
    """What a stay costs: the total and each local day with a charge, in order."""

    amount_minor: int
    currency: str
    days: tuple[DayFee, ...]


def session_fee(
    tariff: Tariff, started_at: datetime, ended_at: datetime, tz: zoneinfo.ZoneInfo | str
) -> Fee:
    """The fee of the stay [started_at, ended_at) under `tariff` in the lot's time zone `tz`."""
    if started_at.tzinfo is None or ended_at.tzinfo is None:
        raise ValueError("started_at and ended_at must be instants (timezone-aware)")
    if ended_at < started_at:
        raise ValueError(f"the stay ends ({ended_at.isoformat()}) before it starts")
    zone = zoneinfo.ZoneInfo(tz) if isinstance(tz, str) else tz
    charged: dict[date, int] = {}
    cursor = started_at.astimezone(UTC) + timedelta(minutes=tariff.free_minutes)
    end = ended_at.astimezone(UTC)
    for day, period, begins, ends in _occurrences(tariff, zone, cursor, end):
        begin = max(cursor, begins)
        stop = min(ends, end)
        if begin >= stop:  # a unit of the previous period ran over this one
            continue
        units = -(-(stop - begin) // timedelta(minutes=period.unit_minutes))  # started units
        charged[day] = charged.get(day, 0) + units * period.price_minor
        cursor = begin + units * timedelta(minutes=period.unit_minutes)
    days = tuple(_capped(day, amount, tariff.daily_cap_minor) for day, amount in charged.items())
    total = min(sum(day.amount_minor for day in days), MAX_FEE_MINOR)
    return Fee(total, tariff.currency, tuple(day for day in days if day.amount_minor))


def _capped(day: date, amount: int, cap: int | None) -> DayFee:
    if cap is not None and amount > cap:
        return DayFee(day, cap, capped=True)
    return DayFee(day, amount, capped=False)


def _occurrences(
    tariff: Tariff, zone: zoneinfo.ZoneInfo, since: datetime, until: datetime
) -> Iterator[tuple[date, Period, datetime, datetime]]:
    """Each period on each local date touching [since, until), as instants, in time order."""
    if since >= until:
        return
    day = since.astimezone(zone).date() - timedelta(days=1)  # 24:00 of the day before
    last = until.astimezone(zone).date()
    while day <= last:
        weekday = WEEKDAYS[day.weekday()]
        found = [
            (_instant(day, p.start_minute, zone), _instant(day, p.end_minute, zone), p)
            for p in tariff.periods
            if weekday in p.days
        ]
        for begins, ends, period in sorted(found, key=lambda item: item[0]):
            if ends > since and begins < until:
                yield day, period, begins, ends
        day += timedelta(days=1)


def _instant(day: date, minute: int, zone: zoneinfo.ZoneInfo) -> datetime:
    """The instant local `day` + `minute` (up to 24:00) names in `zone` (module docstring, 4)."""
    wall = datetime.combine(day, time()) + timedelta(minutes=minute)
    instant = wall.replace(tzinfo=zone).astimezone(UTC)  # fold=0: the first of a repeated time
    if instant.astimezone(zone).replace(tzinfo=None) == wall:
        return instant
    # The clocks skip `wall`: find the jump between the readings with either offset.
    before = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    after = instant
    while after - before > timedelta(microseconds=1):
        middle = before + (after - before) / 2
        if middle.astimezone(zone).replace(tzinfo=None) < wall:
            before = middle
        else:
            after = middle
    return after
