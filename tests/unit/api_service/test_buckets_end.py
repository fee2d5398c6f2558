"""The end of an occupancy window's last bucket, and when it lies past the calendar."""

from datetime import UTC, datetime, timedelta

import pytest

from api_service.models.admin_history import buckets_end

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end", "step", "expected"),
    [
        (at(2026, 11, 26, 8), at(2026, 11, 26, 10), HOUR, at(2026, 11, 26, 10)),
        (at(2026, 11, 26, 8), at(2026, 11, 26, 10, 30), HOUR, at(2026, 11, 26, 11)),
        (at(9999, 12, 30), at(9999, 12, 31), HOUR, at(9999, 12, 31)),
        (at(9999, 12, 30, 12), at(9999, 12, 31), DAY, at(9999, 12, 31, 12)),
        (at(9999, 12, 31), at(9999, 12, 31, 12), DAY, None),
        (at(9999, 12, 31, 23), at(9999, 12, 31, 23, 59), HOUR, None),
        (at(1, 1, 1), at(1, 1, 2), HOUR, at(1, 1, 2)),
    ],
)
def test_buckets_end(
    start: datetime, end: datetime, step: timedelta, expected: datetime | None
) -> None:
    assert buckets_end(start, end, step) == expected
