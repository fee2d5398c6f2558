"""A lot's free slots 15 to 60 minutes ahead (pure): a weekly profile, corrected by now.

The baseline is the median free share of each (weekday, hour) of the lot's *local* week
over the last weeks of hourly rollups, so an 08:00 peak stays at 08:00 across a DST change;
between hours it is interpolated. A forecast adds today's deviation from that baseline,
fading as the residuals of the history fade: one hour apart they correlate by `rho`, so a
deviation `d` now is expected to be `d * rho ** (minutes / 60)` later (the AR(1) estimate).
Without enough history the forecast is the value now (persistence).

This is a seasonal-naive median plus an AR(1) on its residuals, a few numpy lines per request.
statsmodels' Holt-Winters and SARIMA were left out: they want a gap-free series in fixed UTC
steps (DST moves a local peak by an hour), a 168-hour season is slow to fit on every request,
and they would bring scipy and pandas into the API's image for no measured gain.
"""

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Final

import numpy as np
import numpy.typing as npt

HOURS_PER_WEEK: Final = 168
HORIZONS_MIN: Final = (15, 30, 60)
HISTORY_WEEKS: Final = 4
MIN_HOURS: Final = 24
"""Fewer usable rollup hours than this: no profile, persistence."""
MIN_PAIRS: Final = 24
"""Fewer pairs of consecutive usable hours: `DEFAULT_RHO` instead of a fitted one."""
DEFAULT_RHO: Final = 0.7
"""Residual correlation one hour apart when the history cannot say: what `bench/forecast.py`
fits on its simulated lot (0.68 to 0.74 by seed)."""
MAX_UNKNOWN_SHARE: Final = 0.5
"""An hour with more of its slots unknown than this says little about free ones: skipped."""
_WEEKEND: Final = 5  # Monday is 0: Saturday and Sunday are the weekend's day type
Floats = npt.NDArray[np.float64]


class Basis(StrEnum):
    SEASONAL = "seasonal"
    PERSISTENCE = "persistence"


@dataclass(frozen=True, slots=True)
class RollupHour:
    """One row of `occupancy_hourly`: averages over the UTC hour starting at `hour`."""

    hour: datetime
    slots: int
    free_avg: float
    unknown_avg: float


@dataclass(frozen=True, slots=True, eq=False)
class WeeklyProfile:
    """Free share (0..1) per hour of the lot's local week, and how residuals fade."""

    shares: Floats  # 168: Monday 00:00-01:00 local first
    rho: float
    tz: tzinfo

    def share_at(self, at: datetime) -> float:
        """The baseline free share at `at`, interpolated between hour centres."""
        local = at.astimezone(self.tz)
        position = local.weekday() * 24 + local.hour + local.minute / 60 + local.second / 3600
        centres = np.arange(HOURS_PER_WEEK) + 0.5
        return float(np.interp(position, centres, self.shares, period=HOURS_PER_WEEK))


def _week_hour(hour: datetime, tz: tzinfo) -> int:
    # The hour's middle, so a zone 30 minutes off the hour lands in its nearest local hour.
    local = (hour + timedelta(minutes=30)).astimezone(tz)
    return local.weekday() * 24 + local.hour


def _medians(bins: npt.NDArray[np.int64], shares: Floats, groups: int) -> Floats:
    """Median share per group (NaN where none); a handful of values each, so plain Python."""
    grouped: dict[int, list[float]] = {}
    for group, share in zip(bins.tolist(), shares.tolist(), strict=True):
        grouped.setdefault(group, []).append(share)
    out = np.full(groups, np.nan)
    for group, values in grouped.items():
        out[group] = statistics.median(values)
    return out


def _fill(profile: Floats, bins: npt.NDArray[np.int64], shares: Floats) -> Floats:
    """Hours never seen: the same hour of other days of the same type, else interpolated."""
    weekend = (bins // 24 >= _WEEKEND).astype(np.int64)
    by_type = _medians(weekend * 24 + bins % 24, shares, 48)
    week = np.arange(HOURS_PER_WEEK)
    same_type = by_type[(week // 24 >= _WEEKEND) * 24 + week % 24]
    filled = np.where(np.isnan(profile), same_type, profile)
    known = ~np.isnan(filled)
    return np.interp(week, week[known], filled[known], period=HOURS_PER_WEEK)


def _fitted_rho(hours: npt.NDArray[np.int64], residuals: Floats) -> float:
    """Lag-one-hour autocorrelation of the residuals, over consecutive usable hours."""
    following = {hour: i for i, hour in enumerate(hours.tolist())}
    pairs = [(i, following[h + 1]) for i, h in enumerate(hours.tolist()) if h + 1 in following]
    if len(pairs) < MIN_PAIRS:
        return DEFAULT_RHO
    now, later = residuals[[i for i, _ in pairs]], residuals[[j for _, j in pairs]]
    spread = float(np.sqrt(np.sum(now**2) * np.sum(later**2)))
    if spread < 1e-9:  # the history repeats exactly: nothing to fit
        return DEFAULT_RHO
    return min(max(float(np.sum(now * later)) / spread, 0.0), 0.99)


def _usable(row: RollupHour) -> bool:
    known = row.unknown_avg <= MAX_UNKNOWN_SHARE * row.slots
    return row.slots > 0 and known and bool(np.isfinite(row.free_avg))


def build_profile(history: Iterable[RollupHour], tz: tzinfo) -> WeeklyProfile | None:
    """The weekly profile of `history` in zone `tz`, or None with too little of it."""
    usable = [row for row in history if _usable(row)]
    if len(usable) < MIN_HOURS:
        return None
    shares = np.clip([row.free_avg / row.slots for row in usable], 0.0, 1.0)
    bins = np.array([_week_hour(row.hour, tz) for row in usable], dtype=np.int64)
    profile = _fill(_medians(bins, shares, HOURS_PER_WEEK), bins, shares)
    hours = np.array([int(row.hour.timestamp()) // 3600 for row in usable], dtype=np.int64)
    return WeeklyProfile(profile, _fitted_rho(hours, shares - profile[bins]), tz)


@dataclass(frozen=True, slots=True)
class Horizon:
    minutes: int
    free: float
    baseline: float | None  # None on persistence


@dataclass(frozen=True, slots=True)
class Forecast:
    basis: Basis
    free_now: int
    capacity: int
    horizons: tuple[Horizon, ...]


def forecast(
    profile: WeeklyProfile | None,
    now: datetime,
    free_now: int,
    capacity: int,
    horizons: Sequence[int] = HORIZONS_MIN,
) -> Forecast:
    """Free slots `horizons` minutes after `now`, within [0, capacity]."""
    if profile is None:
        flat = tuple(Horizon(minutes, float(free_now), None) for minutes in horizons)
        return Forecast(Basis.PERSISTENCE, free_now, capacity, flat)
    deviation = free_now - capacity * profile.share_at(now)
    out = []
    for minutes in horizons:
        baseline = capacity * profile.share_at(now + timedelta(minutes=minutes))
        expected = baseline + deviation * profile.rho ** (minutes / 60)
        out.append(Horizon(minutes, min(max(expected, 0.0), float(capacity)), baseline))
    return Forecast(Basis.SEASONAL, free_now, capacity, tuple(out))
