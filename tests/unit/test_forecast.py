"""The free-slot forecast: weekly profile in local time, deviation fading, bounds, gaps."""

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest

from api_service.forecast import (
    DEFAULT_RHO,
    HOURS_PER_WEEK,
    MIN_HOURS,
    Basis,
    RollupHour,
    WeeklyProfile,
    build_profile,
    forecast,
)

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Amsterdam
SLOTS = 100
Share = Callable[[datetime], float]  # free share at a local time


def history(
    share: Share, tz: tzinfo = UTC, *, end: datetime = NOW, weeks: int = 4
) -> list[RollupHour]:
    """Rollup rows for the `weeks` before `end`, each hour's share taken at its local start."""
    start = end - timedelta(weeks=weeks)
    hours = (start + timedelta(hours=h) for h in range(weeks * HOURS_PER_WEEK))
    return [RollupHour(h, SLOTS, SLOTS * share(h.astimezone(tz)), 0.0) for h in hours]


def profile_of(share: Share, tz: tzinfo = UTC, *, end: datetime = NOW) -> WeeklyProfile:
    profile = build_profile(history(share, tz, end=end), tz)
    assert profile is not None
    return profile


def flat(value: float) -> Share:
    return lambda _at: value


def weekday_peak(at: datetime) -> float:
    """Weekdays nearly full 08:00-09:00 local, else mostly free; weekends emptier still."""
    if at.weekday() >= 5:
        return 0.9
    return 0.1 if at.hour == 8 else 0.8


def local(day: int, hour: int, minute: int = 0, tz: tzinfo = UTC) -> datetime:
    """November 2026, `day` of the month, a local wall-clock time."""
    return datetime(2026, 11, day, hour, minute, tzinfo=tz)


# A flat history ------------------------------------------------------------------------


@pytest.mark.parametrize("free_now", [40, 41])
def test_flat_history_forecasts_its_level_and_the_deviation_on_top(free_now: int) -> None:
    result = forecast(profile_of(flat(0.4)), NOW, free_now, SLOTS)
    assert result.basis is Basis.SEASONAL
    assert [h.minutes for h in result.horizons] == [15, 30, 60]
    assert [h.baseline for h in result.horizons] == pytest.approx([40.0] * 3)
    deviation = free_now - 40
    expected = [40 + deviation * DEFAULT_RHO ** (m / 60) for m in (15, 30, 60)]
    assert [h.free for h in result.horizons] == pytest.approx(expected)


def test_a_history_that_repeats_exactly_falls_back_to_the_default_decay() -> None:
    assert profile_of(flat(0.4)).rho == DEFAULT_RHO


# A weekly pattern ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "share"),
    [
        (local(23, 8, 30), 0.1),  # Monday, the peak hour's middle
        (local(23, 7, 30), 0.8),
        (local(23, 8, 0), 0.45),  # halfway between the 07:30 and 08:30 centres
        (local(23, 8, 45), 0.1 + 0.7 * 0.25),
        (local(27, 8, 30), 0.1),  # Friday
        (local(28, 8, 30), 0.9),  # Saturday: no peak
        (local(22, 23, 59), 0.9 - 0.1 * (29 / 60)),  # Sunday night into Monday
    ],
)
def test_weekly_pattern_is_kept_by_weekday_and_hour(at: datetime, share: float) -> None:
    assert profile_of(weekday_peak).share_at(at) == pytest.approx(share)


def test_a_forecast_into_the_peak_follows_the_baseline() -> None:
    now = local(23, 7, 30)  # Monday; free as usual now
    result = forecast(profile_of(weekday_peak), now, 80, SLOTS)
    by_minutes = {h.minutes: h for h in result.horizons}
    assert by_minutes[60].baseline == pytest.approx(10.0)
    assert by_minutes[60].free == pytest.approx(10.0)
    assert by_minutes[30].free == pytest.approx(45.0)


# A deviation decaying ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rho", "free_now", "expected"),
    [
        (0.0, 80, [50.0, 50.0, 50.0]),  # the deviation is gone at once: the profile
        (1.0, 80, [80.0, 80.0, 80.0]),  # it stays: persistence of the deviation
        (0.5, 80, [50 + 30 * 0.5**0.25, 50 + 30 * 0.5**0.5, 65.0]),
        (0.5, 20, [50 - 30 * 0.5**0.25, 50 - 30 * 0.5**0.5, 35.0]),
    ],
)
def test_deviation_fades_by_rho_per_hour(rho: float, free_now: int, expected: list[float]) -> None:
    profile = replace(profile_of(flat(0.5)), rho=rho)
    result = forecast(profile, NOW, free_now, SLOTS)
    assert [h.free for h in result.horizons] == pytest.approx(expected)
    assert [h.baseline for h in result.horizons] == pytest.approx([50.0] * 3)


@pytest.mark.parametrize("rho", [0.3, 0.8])
def test_rho_is_fitted_from_the_residuals_of_the_history(rho: float) -> None:
    rng = random.Random(7)  # noqa: S311 - reproducible data
    deviation = 0.0
    residuals = {}
    start = NOW - timedelta(weeks=4)
    for h in range(4 * HOURS_PER_WEEK):
        deviation = rho * deviation + rng.gauss(0.0, 0.05)
        residuals[start + timedelta(hours=h)] = deviation
    rows = [RollupHour(t, SLOTS, SLOTS * (0.5 + d), 0.0) for t, d in residuals.items()]
    profile = build_profile(rows, UTC)
    assert profile is not None
    assert profile.rho == pytest.approx(rho, abs=0.1)


# Clamping ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "free_now", "capacity", "expected"),
    [
        (local(23, 8, 30), 60, SLOTS, [77.5, 95.0, SLOTS]),  # freer than usual as the peak ends
        (local(23, 7, 30), 0, SLOTS, [0.0, 0.0, 0.0]),  # fuller than usual, peak begins
        (local(23, 8, 30), 40, 40, [40.0, 40.0, 40.0]),  # fewer slots in service than before
        (local(23, 8, 30), 10, SLOTS, [10.0 + 70 * 0.25, 10.0 + 70 * 0.5, 80.0]),  # no bound hit
    ],
)
def test_forecast_stays_within_zero_and_capacity(
    now: datetime, free_now: int, capacity: int, expected: list[float]
) -> None:
    profile = replace(profile_of(weekday_peak), rho=1.0)  # the deviation stays whole
    horizons = forecast(profile, now, free_now, capacity).horizons
    assert [h.free for h in horizons] == pytest.approx(expected)


# Missing data --------------------------------------------------------------------------


def test_no_history_means_persistence() -> None:
    result = forecast(build_profile([], AMS), NOW, 17, SLOTS)
    assert result.basis is Basis.PERSISTENCE
    assert [(h.free, h.baseline) for h in result.horizons] == [(17.0, None)] * 3


def test_less_than_a_day_of_history_means_persistence() -> None:
    rows = history(flat(0.5))[-(MIN_HOURS - 1) :]
    assert build_profile(rows, UTC) is None
    assert build_profile(history(flat(0.5))[-MIN_HOURS:], UTC) is not None


def _without(rows: list[RollupHour], gone: Callable[[datetime], bool]) -> list[RollupHour]:
    return [row for row in rows if not gone(row.hour)]


@pytest.mark.parametrize(
    ("gone", "at", "share"),
    [
        # Every Monday 08:00 missing: the other weekdays' 08:00 stands in.
        (lambda t: t.weekday() == 0 and t.hour == 8, local(23, 8, 30), 0.1),
        # Whole weekends missing: interpolated between Friday night and Monday morning.
        (lambda t: t.weekday() >= 5, local(28, 12, 0), 0.8),
        # One week in four missing altogether: the others decide.
        (lambda t: t < NOW - timedelta(weeks=3), local(24, 8, 30), 0.1),
    ],
)
def test_missing_hours_are_filled(
    gone: Callable[[datetime], bool], at: datetime, share: float
) -> None:
    profile = build_profile(_without(history(weekday_peak), gone), UTC)
    assert profile is not None
    assert profile.share_at(at) == pytest.approx(share)


def test_hours_mostly_unknown_are_ignored_not_read_as_full() -> None:
    rows = history(flat(0.6))
    blind = {row.hour for row in rows[::3]}
    rows = [RollupHour(row.hour, SLOTS, 5.0, 90.0) if row.hour in blind else row for row in rows]
    profile = build_profile(rows, UTC)
    assert profile is not None
    assert profile.share_at(NOW) == pytest.approx(0.6)


def test_an_outlier_week_does_not_move_the_median() -> None:
    rows = history(weekday_peak)
    event = NOW - timedelta(weeks=2)
    rows = [
        RollupHour(r.hour, SLOTS, 0.0, 0.0) if event <= r.hour < event + timedelta(days=1) else r
        for r in rows
    ]
    profile = build_profile(rows, UTC)
    assert profile is not None
    assert profile.share_at(local(23, 12, 30)) == pytest.approx(0.8)


# A DST week ----------------------------------------------------------------------------

DST_END = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)  # 03:00 CEST becomes 02:00 CET


@pytest.mark.parametrize(
    ("end", "at_utc"),
    [
        # History all in summer time, forecast in winter time: the peak stays at 08:00 local.
        (DST_END, datetime(2026, 10, 26, 7, 30, tzinfo=UTC)),
        # History across the change, forecast after it.
        (DST_END + timedelta(weeks=2), datetime(2026, 11, 9, 7, 30, tzinfo=UTC)),
        # History in winter time, forecast back in summer's (the spring change, March 29).
        (datetime(2027, 3, 28, tzinfo=UTC), datetime(2027, 3, 29, 6, 30, tzinfo=UTC)),
    ],
)
def test_peak_stays_at_local_time_across_dst(end: datetime, at_utc: datetime) -> None:
    profile = profile_of(weekday_peak, AMS, end=end)
    assert at_utc.astimezone(AMS).hour == 8
    assert profile.share_at(at_utc) == pytest.approx(0.1)
    assert profile.share_at(at_utc - timedelta(hours=1)) == pytest.approx(0.8)
    assert profile.share_at(at_utc + timedelta(hours=1)) == pytest.approx(0.8)


def test_the_repeated_hour_of_the_autumn_change_is_one_local_hour() -> None:
    # 02:00-03:00 happens twice on October 25: both rollups land in Sunday 02:00.
    rows = history(lambda at: 0.3 if at.hour == 2 else 0.7, AMS, end=DST_END + timedelta(days=1))
    profile = build_profile(rows, AMS)
    assert profile is not None
    assert profile.share_at(datetime(2026, 10, 25, 2, 30, tzinfo=AMS)) == pytest.approx(0.3)
    assert profile.share_at(datetime(2026, 10, 25, 4, 30, tzinfo=AMS)) == pytest.approx(0.7)
