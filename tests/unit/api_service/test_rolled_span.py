"""Which part of a stats window the admin stats read from hourly rollups (pure)."""

from datetime import UTC, datetime, timedelta

import pytest

from api_service.services.admin_stats import rolled_span

H = timedelta(hours=1)
T = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("window", "step", "rolled_to", "whole_lot", "split"),
    [
        ((T, T + 720 * H), H, T + 700 * H, True, T + 700 * H),  # up to the rollup
        ((T, T + 720 * H), 24 * H, T + 800 * H, True, T + 720 * H),  # the whole window
        ((T, T + 30 * H + 5 * timedelta(minutes=1)), H, T + 99 * H, True, T + 30 * H),
        ((T, T + 720 * H), H, None, True, T),  # nothing rolled up
        ((T, T + 720 * H), H, T + 700 * H, False, T),  # per floor: raw
        ((T, T + 24 * H), timedelta(minutes=15), T + 99 * H, True, T),  # sub-hour buckets
        ((T + timedelta(minutes=30), T + 24 * H), H, T + 99 * H, True, T + timedelta(minutes=30)),
        ((T, T + 24 * H), H, T - H, True, T),  # rolled up to before the window
    ],
)
def test_rolled_span(
    window: tuple[datetime, datetime],
    step: timedelta,
    rolled_to: datetime | None,
    whole_lot: bool,
    split: datetime,
) -> None:
    assert rolled_span(window, step, rolled_to, whole_lot=whole_lot) == split
