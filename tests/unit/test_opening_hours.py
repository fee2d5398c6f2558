"""Opening hours: expressions checked with a precise message, evaluated in the lot's zone."""

import re
from datetime import UTC, datetime

import pytest

from schemas.opening_hours import MAX_LENGTH, OpenState, check_expression, open_state

BERLIN, AMSTERDAM = (52.52, 13.40), (52.37, 4.90)
# 2026-12-23 is a Wednesday; 2026-10-03 (German Unity Day) a Saturday; Europe's clocks go
# forward on 2026-03-29 and back on 2026-10-25 (both Sundays).
WEEKDAYS = "Mo-Fr 08:00-20:00"
COMMENTS = 'Mo-Fr 08:00-10:00 "barrier", 10:00-12:00 "desk"'


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


CASES = {
    "weekday inside the range": (
        (WEEKDAYS, utc(2026, 12, 23, 11), "Europe/Berlin", None),
        OpenState(open=True, next_change=utc(2026, 12, 23, 19)),
    ),
    "weekday before opening, in local time (07:30 CET)": (
        (WEEKDAYS, utc(2026, 12, 23, 6, 30), "Europe/Berlin", None),
        OpenState(open=False, next_change=utc(2026, 12, 23, 7)),
    ),
    "the same instant is open in a zone further east": (
        (WEEKDAYS, utc(2026, 12, 23, 6, 30), "Asia/Tokyo", None),
        OpenState(open=True, next_change=utc(2026, 12, 23, 11)),
    ),
    "weekend closes until Monday": (
        (WEEKDAYS, utc(2026, 12, 26, 12), "Europe/Berlin", None),
        OpenState(open=False, next_change=utc(2026, 12, 28, 7)),
    ),
    "24/7 never changes": (
        ("24/7", utc(2026, 12, 26, 12), "Europe/Berlin", None),
        OpenState(open=True, next_change=None),
    ),
    "no hours: always open": (
        (None, utc(2026, 12, 26, 12), "Europe/Berlin", None),
        OpenState(open=True, next_change=None),
    ),
    "off day overrides the day range": (
        ("Mo-Su 08:00-20:00; We off", utc(2026, 12, 23, 11), "Europe/Berlin", None),
        OpenState(open=False, next_change=utc(2026, 12, 24, 7)),
    ),
    "range past midnight still open in the small hours": (
        ("Fr 22:00-06:00", utc(2026, 12, 26, 2), "Europe/Berlin", None),
        OpenState(open=True, next_change=utc(2026, 12, 26, 5)),
    ),
    "range past midnight closed the next evening": (
        ("Fr 22:00-06:00", utc(2026, 12, 26, 20), "Europe/Berlin", None),
        OpenState(open=False, next_change=utc(2027, 1, 1, 21)),
    ),
    "public holiday where the lot is (Germany, 3 October)": (
        ("Mo-Su 08:00-20:00; PH off", utc(2026, 10, 3, 10), "Europe/Berlin", BERLIN),
        OpenState(open=False, next_change=utc(2026, 10, 4, 6)),
    ),
    "3 October is no holiday in the Netherlands": (
        ("Mo-Su 08:00-20:00; PH off", utc(2026, 10, 3, 10), "Europe/Amsterdam", AMSTERDAM),
        OpenState(open=True, next_change=utc(2026, 10, 3, 18)),
    ),
    "DST day: 08:30 CEST is open though 06:30 UTC was 07:30 the day before": (
        ("Mo-Su 08:00-20:00", utc(2026, 3, 29, 6, 30), "Europe/Berlin", None),
        OpenState(open=True, next_change=utc(2026, 3, 29, 18)),
    ),
    "day before the DST change: 07:30 CET is closed": (
        ("Mo-Su 08:00-20:00", utc(2026, 3, 28, 6, 30), "Europe/Berlin", None),
        OpenState(open=False, next_change=utc(2026, 3, 28, 7)),
    ),
    "unknown counts as not open, and turning closed is no change": (
        ("We 10:00-12:00 unknown", utc(2026, 12, 23, 10), "Europe/Berlin", None),
        OpenState(open=False, next_change=None),
    ),
    "closed until it opens, not until it turns unknown": (
        ("Mo-Fr 08:00-12:00; Sa unknown", utc(2026, 12, 25, 13), "Europe/Berlin", None),
        OpenState(open=False, next_change=utc(2026, 12, 28, 7)),
    ),
    "open until it closes, not until its comment changes": (
        (COMMENTS, utc(2026, 12, 23, 8), "Europe/Berlin", None),
        OpenState(open=True, next_change=utc(2026, 12, 23, 11)),
    ),
    "closed for good": (
        ("off", utc(2026, 12, 23, 10), "Europe/Berlin", None),
        OpenState(open=False, next_change=None),
    ),
}


@pytest.mark.parametrize(("arguments", "expected"), CASES.values(), ids=CASES.keys())
def test_open_state(
    arguments: tuple[str | None, datetime, str, tuple[float, float] | None], expected: OpenState
) -> None:
    expression, at, timezone, location = arguments
    assert open_state(expression, at, timezone, location) == expected


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        open_state(WEEKDAYS, datetime(2026, 12, 23, 11), "Europe/Berlin")  # noqa: DTZ001


VALID = {
    "kept as written": ("Mo-Fr 07:00-22:00; Sa 08:00-18:00; PH off", None),
    "blanks around removed": ("  24/7 \n", "24/7"),
    "comment": ('Mo-Fr 08:00-18:00 "barrier opens on request"', None),
}


@pytest.mark.parametrize(("expression", "stored"), VALID.values(), ids=VALID.keys())
def test_valid_expressions(expression: str, stored: str | None) -> None:
    assert check_expression(expression) == (stored or expression)


INVALID = {
    "bad weekday": (
        "Mo-Fx 08:00-20:00",
        "invalid opening hours 'Mo-Fx 08:00-20:00': expected wday at column 4",
    ),
    "hour out of range": ("Mo-Fr 25:00-26:00", "at column 7"),
    "empty rule": ("Mo-Fr 08:00-20:00;;", "unexpected normal_rule_separator at column 19"),
    "not an expression": ("whenever", "invalid opening hours 'whenever': expected"),
    "blank": ("   ", "must not be empty"),
    "too long": ("Mo 08:00-09:00," * 30, f"more than {MAX_LENGTH}"),
}


@pytest.mark.parametrize(("expression", "message"), INVALID.values(), ids=INVALID.keys())
def test_invalid_expressions_say_what_and_where(expression: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as raised:
        check_expression(expression)
    assert "\n" not in str(raised.value)
