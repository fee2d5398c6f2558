"""The weekly partitions of `slot_events`: their names and bounds (pure).

One partition per UTC week, Monday 00:00 to the next Monday, named after its Monday
(`slot_events_p20261130`), plus `slot_events_default` for a row no week covers. Weekly, not
daily: at a million rows a day a week is ~7 M rows (a few GB with indexes), and the
queries that cannot prune by time (receipts by (node_id, seq), the sweep's gaps, admin
event pages by (tx_id, id)) probe every partition's index, so fewer partitions keep them
cheap (52 a year rather than 365); retention is then by whole weeks.
"""

import re
from datetime import UTC, date, datetime, timedelta

PARENT = "slot_events"
DEFAULT = "slot_events_default"
WEEK = timedelta(weeks=1)
_NAME = re.compile(r"^slot_events_p(\d{8})$")


def week_start(at: datetime) -> datetime:
    """Monday 00:00 UTC of the week holding `at`."""
    day = at.astimezone(UTC).date()
    monday = day - timedelta(days=day.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=UTC)


def partition_name(start: datetime) -> str:
    return f"{PARENT}_p{start.astimezone(UTC):%Y%m%d}"


def partition_start(name: str) -> datetime | None:
    """The Monday a weekly partition starts, from its name; None for any other table."""
    match = _NAME.match(name)
    if match is None:
        return None
    day = date(int(match[1][:4]), int(match[1][4:6]), int(match[1][6:]))
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def is_partition(name: str) -> bool:
    """A partition of slot_events (weekly or default): not a table of the model."""
    return name == DEFAULT or partition_start(name) is not None


def weeks_wanted(now: datetime, back: timedelta, ahead_weeks: int) -> list[datetime]:
    """The weeks that must exist: from the one holding `now - back` (the oldest event ingest
    still accepts) to `ahead_weeks` weeks after the current one."""
    first, current = week_start(now - back), week_start(now)
    weeks = []
    at = first
    while at <= current + ahead_weeks * WEEK:
        weeks.append(at)
        at += WEEK
    return weeks


def expired(
    names: list[str], now: datetime, retention: timedelta, rolled_to: datetime
) -> list[str]:
    """Weekly partitions to drop: every row older than `retention` and already rolled up."""
    out = []
    for name in names:
        start = partition_start(name)
        if start is not None and start + WEEK <= min(now - retention, rolled_to):
            out.append(name)
    return sorted(out)
