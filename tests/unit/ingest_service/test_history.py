"""History at scale, the pure parts: weekly partition names and bounds, which weeks must
exist, which may be dropped, and the retention setting's rule."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from ingest_service.settings import IngestSettings
from schemas.db.partitions import (
    expired,
    is_partition,
    partition_name,
    partition_start,
    week_start,
    weeks_wanted,
)

WED = datetime(2026, 12, 2, 11, 30, tzinfo=UTC)
MON = datetime(2026, 11, 30, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("at", "monday"),
    [
        (WED, MON),
        (MON, MON),  # a week's first instant is its own
        (MON - timedelta(microseconds=1), MON - 7 * DAY),
        (datetime(2027, 1, 1, tzinfo=UTC), datetime(2026, 12, 28, tzinfo=UTC)),  # across years
        (datetime(2026, 11, 30, 0, 30, tzinfo=UTC).astimezone(), MON),  # any time zone
    ],
)
def test_week_start_is_monday_utc(at: datetime, monday: datetime) -> None:
    assert week_start(at) == monday


@pytest.mark.parametrize(
    ("name", "partition"),
    [
        ("slot_events_p20261130", True),
        ("slot_events_default", True),
        ("slot_events", False),
        ("slot_events_p2026113", False),
        ("occupancy_hourly", False),
    ],
)
def test_partition_names(name: str, partition: bool) -> None:
    assert is_partition(name) is partition


def test_names_round_trip() -> None:
    assert partition_name(MON) == "slot_events_p20261130"
    assert partition_start(partition_name(MON)) == MON
    assert partition_start("slot_events_default") is None


def test_weeks_wanted_reach_back_to_the_oldest_accepted_event_and_ahead() -> None:
    weeks = weeks_wanted(WED, 7 * DAY, ahead_weeks=4)
    assert weeks == [MON + n * 7 * DAY for n in range(-1, 5)]
    assert weeks_wanted(MON + 7 * DAY, 7 * DAY, 0) == [MON, MON + 7 * DAY]


@pytest.mark.parametrize(
    ("rolled_to", "dropped"),
    [
        (WED, ["slot_events_p20261109", "slot_events_p20261116"]),  # retention decides
        (MON - 7 * DAY, ["slot_events_p20261109", "slot_events_p20261116"]),
        (MON - 7 * DAY - timedelta(hours=1), ["slot_events_p20261109"]),  # not rolled up
        (MON - 21 * DAY, []),
    ],
)
def test_expired_weeks_are_past_retention_and_rolled_up(
    rolled_to: datetime, dropped: list[str]
) -> None:
    names = [partition_name(MON + n * 7 * DAY) for n in range(-3, 2)] + ["slot_events_default"]
    # Retention 9 days from Wednesday 2 Dec: weeks ending by 23 Nov 11:30 may go.
    assert expired(names, WED, 9 * DAY, rolled_to) == dropped


@pytest.mark.parametrize(
    ("days", "max_age_s", "ok"),
    [
        (0, 604_800, True),
        (8, 604_800, True),
        (7, 604_800, False),
        (1, 3600, True),
        (1, 86_400, False),
    ],
)
def test_retention_must_exceed_the_max_event_age(days: int, max_age_s: int, ok: bool) -> None:
    values = {"history_retention_days": days, "max_event_age_s": max_age_s}
    if ok:
        settings = IngestSettings(**values)  # type: ignore[arg-type]
        assert settings.history_retention == (timedelta(days=days) if days else None)
    else:
        with pytest.raises(ValidationError, match="must exceed max_event_age_s"):
            IngestSettings(**values)  # type: ignore[arg-type]
