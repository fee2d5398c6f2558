"""Forecast benchmark: mean absolute error of free slots 15/30/60 minutes ahead, held out.

    .venv/bin/python -m bench.forecast [--weeks 8] [--holdout-days 7] [--seed 1]

Simulates a 300-slot lot minute by minute in Europe/Amsterdam (the weeks cross the October
DST change): a weekday commuter pattern and a weekend midday one in local time, a level
that varies by day, a slow deviation (about 90 minutes to fade) and a fast one (minutes),
and occasional events (2 to 4 hours of extra cars on about one day in eight). It builds
`occupancy_hourly` rows from it (averages over each UTC hour, 2 % of hours missing), then
forecasts every 10 minutes of the last days from the rollups of the weeks before (complete
hours only, as the API does) and prints the MAE against the simulated value at each horizon
for the model (`api_service.forecast`) beside its baselines, persistence and the pure
weekly profile, and for fixed decays of the deviation around the fitted one. Seeded: the
same arguments print the same figures.
"""

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from api_service.forecast import (
    HISTORY_WEEKS,
    HORIZONS_MIN,
    RollupHour,
    WeeklyProfile,
    build_profile,
    forecast,
)

ZONE = ZoneInfo("Europe/Amsterdam")
START = datetime(2026, 9, 21, tzinfo=ZONE)  # a Monday, local midnight
CAPACITY = 300
STEP_MIN = 10
MISSING_HOURS = 0.02
FIXED_RHOS = (0.0, 0.3, 0.5, 0.7, 0.9, 1.0)
Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


def say(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


# Simulation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lot:
    start: datetime  # UTC, minute 0
    free: Ints  # per minute
    in_event: npt.NDArray[np.bool_]  # per minute


def _rise(x: Floats, centre: float, width: float) -> Floats:
    return 1.0 / (1.0 + np.exp(-(x - centre) / width))


def _occupied_share(hour_of_day: Floats, weekday: Ints) -> Floats:
    """The typical occupied share by local time: commuters on weekdays, shoppers at weekends."""
    commute = 0.12 + 0.73 * _rise(hour_of_day, 8.0, 0.5) * (1 - _rise(hour_of_day, 17.5, 0.7))
    friday = 0.12 + 0.62 * _rise(hour_of_day, 8.3, 0.5) * (1 - _rise(hour_of_day, 16.0, 0.7))
    weekend = 0.08 + 0.5 * _rise(hour_of_day, 11.0, 0.8) * (1 - _rise(hour_of_day, 17.0, 1.0))
    return np.where(weekday >= 5, weekend, np.where(weekday == 4, friday, commute))


def _ou(rng: np.random.Generator, n: int, tau_min: float, sd: float) -> Floats:
    """An Ornstein-Uhlenbeck path sampled each minute: fades with time constant `tau_min`."""
    a = np.exp(-1.0 / tau_min)
    shocks = rng.normal(0.0, sd * np.sqrt(1 - a * a), n)
    out = np.empty(n)
    level = rng.normal(0.0, sd)
    for i in range(n):
        level = a * level + shocks[i]
        out[i] = level
    return out


def simulate(weeks: int, seed: int) -> Lot:
    rng = np.random.default_rng(seed)
    start = START.astimezone(UTC)
    n = weeks * 7 * 1440
    local = [(start + timedelta(hours=h)).astimezone(ZONE) for h in range(n // 60)]
    day_index = np.repeat([(t.date() - START.date()).days for t in local], 60)
    weekday = np.repeat([t.weekday() for t in local], 60)
    hour_of_day = np.repeat([t.hour for t in local], 60) + np.tile(np.arange(60) / 60, n // 60)
    days = int(day_index.max()) + 1
    level = rng.normal(1.0, 0.08, days)[day_index]
    share = _occupied_share(hour_of_day, weekday) * level
    share += _ou(rng, n, 90.0, 0.06) + _ou(rng, n, 4.0, 0.015)
    extra = np.zeros(n)
    for day in np.flatnonzero(rng.random(days) < 0.12):
        begin, length = rng.uniform(9.0, 19.0), rng.uniform(2.0, 4.0)
        today = day_index == day
        bump = _rise(hour_of_day, begin, 0.15) * (1 - _rise(hour_of_day, begin + length, 0.15))
        extra += np.where(today, rng.uniform(0.15, 0.35) * bump, 0.0)
    occupied = np.rint(CAPACITY * np.clip(share + extra, 0.0, 1.0)).astype(np.int64)
    return Lot(start, CAPACITY - occupied, extra > 0.05)


def rollups(lot: Lot, seed: int) -> dict[int, RollupHour]:
    """`occupancy_hourly` rows by hour index: averages over each UTC hour, a few missing."""
    rng = np.random.default_rng(seed + 1)
    free_avg = lot.free.reshape(-1, 60).mean(axis=1)
    keep = rng.random(len(free_avg)) >= MISSING_HOURS
    return {
        h: RollupHour(lot.start + timedelta(hours=h), CAPACITY, float(free_avg[h]), 0.0)
        for h in np.flatnonzero(keep).tolist()
    }


# Evaluation ------------------------------------------------------------------------------

Model = Callable[[WeeklyProfile | None, datetime, int], list[float]]


def _persistence(profile: WeeklyProfile | None, at: datetime, free: int) -> list[float]:
    return [float(free)] * len(HORIZONS_MIN)


def _seasonal(profile: WeeklyProfile | None, at: datetime, free: int) -> list[float]:
    if profile is None:
        return _persistence(profile, at, free)
    return [CAPACITY * profile.share_at(at + timedelta(minutes=m)) for m in HORIZONS_MIN]


def _model(rho: float | None) -> Model:
    def run(profile: WeeklyProfile | None, at: datetime, free: int) -> list[float]:
        if profile is not None and rho is not None:
            profile = replace(profile, rho=rho)
        return [h.free for h in forecast(profile, at, free, CAPACITY).horizons]

    return run


def evaluate(lot: Lot, rows: dict[int, RollupHour], holdout_days: int) -> None:
    n = len(lot.free)
    first = n - holdout_days * 1440
    times = np.arange(first, n - max(HORIZONS_MIN), STEP_MIN)
    models: list[tuple[str, Model]] = [
        ("persistence (free now)", _persistence),
        ("seasonal profile alone", _seasonal),
        ("profile + deviation (fitted decay)", _model(None)),
    ]
    models += [(f"  decay fixed at rho={rho:.1f}", _model(rho)) for rho in FIXED_RHOS]
    errors = np.zeros((len(models), len(times), len(HORIZONS_MIN)))
    profiles: dict[int, WeeklyProfile | None] = {}
    for k, minute in enumerate(times.tolist()):
        hour = minute // 60
        if hour not in profiles:
            window = range(hour - HISTORY_WEEKS * 168, hour)
            profiles[hour] = build_profile((rows[h] for h in window if h in rows), ZONE)
        at = lot.start + timedelta(minutes=minute)
        truth = lot.free[[minute + m for m in HORIZONS_MIN]]
        free_now = int(lot.free[minute])
        for i, (_, model) in enumerate(models):
            errors[i, k] = np.abs(np.array(model(profiles[hour], at, free_now)) - truth)
    fitted = [p.rho for p in profiles.values() if p is not None]
    say(f"fitted rho (hourly residual correlation): {np.median(fitted):.2f} "
        f"(range {min(fitted):.2f}-{max(fitted):.2f} over {len(fitted)} refits)")  # fmt: skip
    event = lot.in_event[times]
    for title, mask in (("all forecast times", np.ones_like(event)), ("during events", event)):
        say()
        say(f"MAE, free slots of {CAPACITY}: {title} ({int(mask.sum())} forecasts)")
        say(f"{'model':<38}" + "".join(f"{f'{m} min':>9}" for m in HORIZONS_MIN))
        for i, (name, _) in enumerate(models):
            if mask.any():
                maes = errors[i, mask].mean(axis=0)
                say(f"{name:<38}" + "".join(f"{mae:>9.2f}" for mae in maes))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--weeks", type=int, default=8, help="weeks simulated in all")
    parser.add_argument("--holdout-days", type=int, default=7, help="last days forecast")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.weeks * 7 <= args.holdout_days + HISTORY_WEEKS * 7:
        parser.error(f"need more than {HISTORY_WEEKS} weeks of history before the held-out days")
    started = time.perf_counter()
    lot = simulate(args.weeks, args.seed)
    rows = rollups(lot, args.seed)
    event_days = np.count_nonzero(
        lot.in_event[-args.holdout_days * 1440 :].reshape(-1, 1440).any(1)
    )
    say(f"lot: {CAPACITY} slots, {args.weeks} weeks from {START.date()} ({ZONE.key}), "
        f"seed {args.seed}; rollup hours {len(rows)} of {len(lot.free) // 60}; "
        f"held out: last {args.holdout_days} days, every {STEP_MIN} min, "
        f"{event_days} of them with an event")  # fmt: skip
    evaluate(lot, rows, args.holdout_days)
    say()
    say(f"({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
