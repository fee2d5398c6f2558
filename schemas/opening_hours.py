"""A lot's opening hours: OSM `opening_hours` expressions checked and evaluated (pure).

The syntax is OpenStreetMap's (https://wiki.openstreetmap.org/wiki/Key:opening_hours), e.g.
`Mo-Fr 07:00-22:00; Sa 08:00-18:00; PH off`. Parsing and evaluation are the library
opening-hours-py (`opening_hours`); this module only fixes how the platform calls it:

- evaluated in the lot's IANA time zone (`parking_lots.timezone`), whatever the zone of the
  instant asked about, so DST days and ranges crossing midnight follow local clocks;
- the lot's coordinates give the country of its public holidays (`PH`) and its sunrise and
  sunset;
- no expression (NULL) means always open; only the state "open" counts as open, so a lot
  whose hours say `unknown` for now is not offered to drivers;
- `next_change` is when "open" next flips: a change between closed and unknown, or of a
  comment only, is passed over; one further than a year ahead is no change (None), which
  also bounds the work an odd expression can ask for.
"""

import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Final, Protocol

import opening_hours

# OSM's own limit for a tag value.
MAX_LENGTH: Final = 255
_HORIZON_DAYS: Final = 366
# Changes of state looked through for one that opens or closes the lot (a year of hourly
# changes between closed and unknown is 8,784).
_MAX_CHANGES: Final = 10_000
# The parser's report: " --> 1:4" gives line and column, "= expected wday" what it wanted.
_POSITION = re.compile(r"-->\s*\d+:(\d+)")
_EXPECTED = re.compile(r"^\s*=\s*(.+)$", re.MULTILINE)
# Raised by the parser; missing from the package's type stub.
_ParserError: type[Exception] = opening_hours.ParserError  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class OpenState:
    """Whether a lot is open at an instant and when that next changes (UTC; None: never
    within a year, or no opening hours at all)."""

    open: bool
    next_change: datetime | None


ALWAYS_OPEN: Final = OpenState(open=True, next_change=None)


def check_expression(expression: str) -> str:
    """The expression with surrounding blanks removed, or ValueError saying what is wrong."""
    text = expression.strip()
    if not text:
        raise ValueError("opening hours must not be empty (omit them for a lot always open)")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"opening hours are {len(text)} characters, more than {MAX_LENGTH}")
    try:
        opening_hours.OpeningHours(text)
    except _ParserError as exc:
        raise ValueError(f"invalid opening hours {text!r}: {_reason(str(exc))}") from None
    return text


def _reason(report: str) -> str:
    """One line from the parser's multi-line report: what it expected, and at which column."""
    expected = _EXPECTED.search(report)
    position = _POSITION.search(report)
    what = expected.group(1).strip() if expected else "not an opening_hours expression"
    return f"{what} at column {position.group(1)}" if position else what


def open_state(
    expression: str | None,
    at: datetime,
    timezone: str,
    location: tuple[float, float] | None = None,
) -> OpenState:
    """Whether a lot with these hours is open at the aware instant `at`, evaluated in the
    IANA zone `timezone`; `location` (lat, lon) selects public holidays and sun times."""
    if at.tzinfo is None:
        raise ValueError("open_state needs an aware datetime")
    if expression is None:
        return ALWAYS_OPEN
    zone = zoneinfo.ZoneInfo(timezone)
    hours = _parsed(expression, zone, location)
    local = at.astimezone(zone)
    is_open_now = _is_open(hours, local)
    return OpenState(open=is_open_now, next_change=_next_flip(hours, local, is_open_now))


def _is_open(hours: opening_hours.OpeningHours, at: datetime) -> bool:
    state, _comment = hours.state(at)
    return bool(state == opening_hours.State.OPEN)


def _next_flip(
    hours: opening_hours.OpeningHours, local: datetime, is_open_now: bool
) -> datetime | None:
    """The first change of the hours' state that changes `open` (closed <-> unknown, or a
    new comment, does not), within the horizon; None otherwise."""
    horizon = local + timedelta(days=_HORIZON_DAYS)
    change = hours.next_change(local)
    for _ in range(_MAX_CHANGES):
        if change is None or change > horizon:
            return None
        if _is_open(hours, change) != is_open_now:
            return change.astimezone(UTC)
        following = hours.next_change(change)
        if following is not None and following <= change:
            return None  # no progress: never loop
        change = following
    return None


class LotHours(Protocol):
    """What a lot's open state depends on (a `parking_lots` row)."""

    @property
    def opening_hours(self) -> str | None: ...
    @property
    def timezone(self) -> str: ...
    @property
    def latitude(self) -> float: ...
    @property
    def longitude(self) -> float: ...


def lot_open_state(lot: LotHours, at: datetime) -> OpenState:
    """`open_state` of a lot row: its hours, zone and place."""
    return open_state(lot.opening_hours, at, lot.timezone, (lot.latitude, lot.longitude))


@lru_cache(maxsize=4096)
def _parsed(
    expression: str, zone: zoneinfo.ZoneInfo, location: tuple[float, float] | None
) -> opening_hours.OpeningHours:
    """The parsed hours of one lot, kept: finding the country of a place for its holidays
    takes about a millisecond, evaluating a parsed expression a few microseconds."""
    return opening_hours.OpeningHours(
        expression, timezone=zone, coords=location, max_interval_days=_HORIZON_DAYS
    )
