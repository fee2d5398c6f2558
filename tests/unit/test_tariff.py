"""Tariff validation and the fee of a stay (schemas/tariff.py), case by case."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from schemas.tariff import (
    MAX_FEE_MINOR,
    MAX_PRICE_MINOR,
    DayFee,
    Tariff,
    hour_price_max,
    session_fee,
)

BERLIN = ZoneInfo("Europe/Berlin")
WEEK = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]


def period(days: list[str], start: str, end: str, price: int, unit: int) -> dict[str, Any]:
    return {"days": days, "start": start, "end": end, "price_minor": price, "unit_minutes": unit}


def tariff(*periods: dict[str, Any], **fields: Any) -> Tariff:
    return Tariff.model_validate({"currency": "EUR", "periods": list(periods), **fields})


def at(day: str, clock: str = "00:00") -> datetime:
    """A Berlin wall-clock time (fold 0: the first of a repeated hour)."""
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=BERLIN)


# 2026-12-07 is a Monday, 2026-12-11 a Friday.
MON, TUE, FRI, SAT = "2026-12-07", "2026-12-08", "2026-12-11", "2026-12-12"
OFFICE = tariff(
    period(["Mo", "Tu", "We", "Th", "Fr"], "08:00", "18:00", 50, 15),
    period(["Sa"], "10:00", "14:00", 100, 60),
)
SPLIT_DAY = tariff(
    period(["Mo"], "08:00", "12:00", 60, 60),
    period(["Mo"], "12:00", "18:00", 10, 30),
)
GRACE = OFFICE.model_copy(update={"free_minutes": 15})
CAPPED = OFFICE.model_copy(update={"daily_cap_minor": 300})
HOURLY = tariff(period(WEEK, "00:00", "24:00", 100, 60), daily_cap_minor=1000)

CASES: dict[str, tuple[Tariff, datetime, datetime, int]] = {
    "zero-length stay": (OFFICE, at(MON, "09:00"), at(MON, "09:00"), 0),
    "one minute starts a unit": (OFFICE, at(MON, "08:00"), at(MON, "08:01"), 50),
    "exactly one unit": (OFFICE, at(MON, "08:00"), at(MON, "08:15"), 50),
    "one minute into the second unit": (OFFICE, at(MON, "08:00"), at(MON, "08:16"), 100),
    "before the period is free": (OFFICE, at(MON, "07:00"), at(MON, "08:00"), 0),
    "units start when the period begins": (OFFICE, at(MON, "07:50"), at(MON, "08:10"), 50),
    "a unit running past the period's end is one unit": (
        OFFICE,
        at(MON, "17:50"),
        at(MON, "18:30"),
        50,
    ),
    "overnight: two evenings' and mornings' units": (
        OFFICE,
        at(MON, "17:00"),
        at(TUE, "09:00"),
        400,
    ),
    "Friday evening into Saturday's period": (OFFICE, at(FRI, "17:00"), at(SAT, "12:30"), 500),
    "a whole week": (OFFICE, at(MON), at("2026-12-14"), 5 * 40 * 50 + 4 * 100),
    "a unit crossing into the next period is charged at its own period's price": (
        SPLIT_DAY,
        at(MON, "11:30"),
        at(MON, "13:00"),
        60 + 10,
    ),
    "the unit covering the boundary is the only one": (
        SPLIT_DAY,
        at(MON, "11:30"),
        at(MON, "12:30"),
        60,
    ),
    "stay within the free minutes": (GRACE, at(MON, "08:00"), at(MON, "08:15"), 0),
    "free minutes are deducted from a longer stay": (
        GRACE,
        at(MON, "10:00"),
        at(MON, "12:00"),
        7 * 50,
    ),
    "charging starts after the free minutes": (GRACE, at(MON, "08:00"), at(MON, "08:16"), 50),
    "free minutes before the period are spent": (GRACE, at(MON, "07:50"), at(MON, "08:20"), 50),
    "cap per day": (CAPPED, at(MON, "08:00"), at(MON, "18:00"), 300),
    "cap applies to each day apart": (CAPPED, at(MON, "08:00"), at(TUE, "09:00"), 300 + 200),
    "a unit counts on the day it starts": (HOURLY, at(MON, "23:30"), at(TUE, "00:10"), 100),
    "the next unit starts after midnight": (HOURLY, at(MON, "23:30"), at(TUE, "00:40"), 200),
    # 2026-03-29: 02:00 CET jumps to 03:00 CEST, so 00:00 to 04:00 is three real hours.
    "spring forward: the skipped hour is not charged": (
        HOURLY,
        at("2026-03-29"),
        at("2026-03-29", "04:00"),
        300,
    ),
    # 2026-10-25: 03:00 CEST goes back to 02:00 CET, so 00:00 to 04:00 is five real hours.
    "fall back: the repeated hour is charged": (
        HOURLY,
        at("2026-10-25"),
        at("2026-10-25", "04:00"),
        500,
    ),
    # A boundary at 02:30 that does not exist is the jump itself (01:00 UTC): two hours at
    # 10 per half hour, then one hour (01:00 to 02:00 UTC) at 1.
    "spring forward: a boundary in the skipped hour": (
        tariff(period(["Su"], "00:00", "02:30", 10, 30), period(["Su"], "02:30", "24:00", 1, 30)),
        at("2026-03-29"),
        at("2026-03-29", "04:00"),
        4 * 10 + 2 * 1,
    ),
    # A boundary at 02:30 that happens twice is the first (00:30 UTC): 2.5 h at 10, 2.5 h at 1.
    "fall back: a boundary in the repeated hour": (
        tariff(period(["Su"], "00:00", "02:30", 10, 30), period(["Su"], "02:30", "24:00", 1, 30)),
        at("2026-10-25"),
        at("2026-10-25", "04:00"),
        5 * 10 + 5 * 1,
    ),
    "no periods: free": (tariff(), at(MON), at(TUE), 0),
}


@pytest.mark.parametrize(("rates", "start", "end", "expected"), CASES.values(), ids=CASES.keys())
def test_session_fee(rates: Tariff, start: datetime, end: datetime, expected: int) -> None:
    fee = session_fee(rates, start, end, BERLIN)
    assert (fee.amount_minor, fee.currency) == (expected, "EUR")
    assert sum(day.amount_minor for day in fee.days) == expected


def test_days_break_down_the_fee_with_their_caps() -> None:
    fee = session_fee(CAPPED, at(FRI, "17:00"), at(SAT, "12:30"), "Europe/Berlin")
    assert fee.days == (
        DayFee(date(2026, 12, 11), 200, capped=False),
        DayFee(date(2026, 12, 12), 300, capped=False),
    )
    fee = session_fee(CAPPED, at(MON, "08:00"), at(TUE, "09:00"), BERLIN)
    assert fee.days == (
        DayFee(date(2026, 12, 7), 300, capped=True),
        DayFee(date(2026, 12, 8), 200, capped=False),
    )


def test_a_stay_across_both_2026_changes_is_charged_by_real_time() -> None:
    per_hour = tariff(period(WEEK, "00:00", "24:00", 1, 60))
    fee = session_fee(per_hour, at("2026-03-28", "12:00"), at("2026-10-25", "12:00"), BERLIN)
    hours = {day.day: day.amount_minor for day in fee.days}
    assert hours[date(2026, 3, 29)] == 23
    assert hours[date(2026, 10, 25)] == 12 + 1  # noon of the 25-hour day
    assert hours[date(2026, 6, 1)] == 24
    elapsed = at("2026-10-25", "12:00") - at("2026-03-28", "12:00")
    assert fee.amount_minor == elapsed // timedelta(hours=1)


def test_instants_in_other_zones_are_the_same_stay() -> None:
    start, end = at(MON, "17:00"), at(TUE, "09:00")
    in_utc = session_fee(OFFICE, start.astimezone(UTC), end.astimezone(UTC), BERLIN)
    assert in_utc == session_fee(OFFICE, start, end, BERLIN)
    # In New York the same instants are Monday 11:00 to Tuesday 03:00: seven office hours.
    assert session_fee(OFFICE, start, end, "America/New_York").amount_minor == 7 * 4 * 50


def test_a_fee_never_passes_the_database_integer() -> None:
    dear = tariff(period(WEEK, "00:00", "24:00", MAX_PRICE_MINOR, 1))
    assert session_fee(dear, at(MON), at(TUE), BERLIN).amount_minor == MAX_FEE_MINOR


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (at(MON, "10:00"), at(MON, "09:59"), "before it starts"),
        (at(MON, "09:00").replace(tzinfo=None), at(MON, "10:00"), "timezone-aware"),
        (at(MON, "09:00"), at(MON, "10:00").replace(tzinfo=None), "timezone-aware"),
    ],
)
def test_invalid_stays_are_refused(start: datetime, end: datetime, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        session_fee(OFFICE, start, end, BERLIN)


@given(
    start=st.integers(0, 14 * 24 * 60),
    first=st.integers(0, 3 * 24 * 60),
    more=st.integers(0, 24 * 60),
)
def test_a_longer_stay_never_costs_less(start: int, first: int, more: int) -> None:
    rates = GRACE.model_copy(update={"daily_cap_minor": 1500})
    begin = datetime(2026, 3, 20, tzinfo=UTC) + timedelta(minutes=start)
    shorter = session_fee(rates, begin, begin + timedelta(minutes=first), BERLIN)
    longer = session_fee(rates, begin, begin + timedelta(minutes=first + more), BERLIN)
    assert longer.amount_minor >= shorter.amount_minor


def test_weekdays_are_kept_in_week_order() -> None:
    rates = tariff(period(["Su", "Mo", "We"], "08:00", "09:00", 1, 60))
    assert rates.periods[0].days == ["Mo", "We", "Su"]


def test_touching_periods_and_the_end_of_the_day_are_allowed() -> None:
    rates = tariff(
        period(["Mo"], "00:00", "08:00", 1, 60),
        period(["Mo"], "08:00", "24:00", 2, 60),
        period(["Tu"], "00:00", "24:00", 2, 60),
    )
    assert len(rates.periods) == 3


INVALID: dict[str, tuple[dict[str, Any], str]] = {
    "lower-case currency": (
        {"currency": "eur"},
        "currency must be three upper-case letters (ISO 4217)",
    ),
    "unknown currency": ({"currency": "EUX"}, "currency EUX is not an ISO 4217 currency"),
    "unknown weekday": (
        {"periods": [period(["Mon"], "08:00", "18:00", 1, 15)]},
        "unknown weekday 'Mon': use Mo, Tu, We, Th, Fr, Sa, Su",
    ),
    "weekday twice": (
        {"periods": [period(["Tu", "Mo", "Tu"], "08:00", "18:00", 1, 15)]},
        "weekday 'Tu' given twice",
    ),
    "no weekdays": ({"periods": [period([], "08:00", "18:00", 1, 15)]}, "at least 1 item"),
    "start without a leading zero": (
        {"periods": [period(["Mo"], "8:00", "18:00", 1, 15)]},
        "'8:00' is not a local time HH:MM from 00:00 to 23:59",
    ),
    "start with a full-width digit": (
        {"periods": [period(["Mo"], "0\uff18:00", "18:00", 1, 15)]},
        "'0\uff18:00' is not a local time HH:MM from 00:00 to 23:59",
    ),
    "end with a superscript digit": (
        {"periods": [period(["Mo"], "08:00", "1\u00b2:00", 1, 15)]},
        "'1\u00b2:00' is not a local time HH:MM from 00:00 to 24:00",
    ),
    "start at 24:00": (
        {"periods": [period(["Mo"], "24:00", "24:00", 1, 15)]},
        "'24:00' is not a local time HH:MM from 00:00 to 23:59",
    ),
    "end past 24:00": (
        {"periods": [period(["Mo"], "08:00", "24:01", 1, 15)]},
        "'24:01' is not a local time HH:MM from 00:00 to 24:00",
    ),
    "minute 60": (
        {"periods": [period(["Mo"], "08:00", "18:60", 1, 15)]},
        "'18:60' is not a local time HH:MM from 00:00 to 24:00",
    ),
    "empty range": (
        {"periods": [period(["Mo"], "08:00", "08:00", 1, 15)]},
        "empty range 08:00-08:00: end must be after start",
    ),
    "overnight period": (
        {"periods": [period(["Mo"], "22:00", "06:00", 1, 15)]},
        "end 06:00 is before start 22:00: a period ends by midnight; "
        "write 22:00-24:00 and 00:00-06:00 of the next day",
    ),
    "overlap on a shared weekday": (
        {
            "periods": [
                period(["Mo", "Tu"], "08:00", "13:00", 1, 15),
                period(["Tu", "We"], "12:00", "14:00", 1, 15),
            ]
        },
        "periods[1] (Tu 12:00-14:00) overlaps periods[0] (Tu 08:00-13:00)",
    ),
    "negative price": (
        {"periods": [period(["Mo"], "08:00", "09:00", -1, 15)]},
        "periods.0.price_minor\n  Input should be greater than or equal to 0",
    ),
    "fractional price": (
        {"periods": [period(["Mo"], "08:00", "09:00", 0.5, 15)]},  # type: ignore[arg-type]
        "valid integer",
    ),
    "zero-minute unit": (
        {"periods": [period(["Mo"], "08:00", "09:00", 1, 0)]},
        "periods.0.unit_minutes\n  Input should be greater than or equal to 1",
    ),
    "negative free minutes": (
        {"free_minutes": -1},
        "free_minutes\n  Input should be greater than or equal to 0",
    ),
    "negative cap": (
        {"daily_cap_minor": -5},
        "daily_cap_minor\n  Input should be greater than or equal to 0",
    ),
    "unknown field": ({"vat": 19}, "Extra inputs are not permitted"),
}


@pytest.mark.parametrize(("change", "message"), INVALID.values(), ids=INVALID.keys())
def test_invalid_tariffs_are_refused_with_a_precise_message(
    change: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        Tariff.model_validate({"currency": "EUR", **change})
    assert message in str(caught.value)


def test_a_tariff_round_trips_through_json() -> None:
    document = OFFICE.model_dump(mode="json")
    assert Tariff.model_validate(document) == OFFICE
    assert Tariff.model_validate_json(OFFICE.model_dump_json()) == OFFICE


def test_the_hour_price_summary_is_the_dearest_period_s_hour() -> None:
    assert hour_price_max(OFFICE) == 200  # 4 started quarters at 50 beat 1 hour at 100
    assert hour_price_max(tariff(period(["Mo"], "08:00", "20:00", 70, 45))) == 140
    assert hour_price_max(tariff()) == 0
