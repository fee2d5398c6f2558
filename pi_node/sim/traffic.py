"""Synthetic parking traffic: arrivals by time of day, dwell times, detection noise (pure).

Rates follow a weekday city-centre profile: quiet nights, a morning arrival peak, a lunch
bump and an evening turnover; cars arriving in the evening tend to stay overnight.
"""

import math
import random
from dataclasses import dataclass
from typing import Final

from schemas.enums import DetectedStatus

# Arrivals per free slot per hour, by hour of day (local time of the simulated lot).
HOURLY_ARRIVALS: Final = (
    0.02, 0.02, 0.02, 0.02, 0.03, 0.08, 0.25, 0.80, 0.90, 0.60, 0.40, 0.45,
    0.55, 0.50, 0.35, 0.35, 0.40, 0.50, 0.45, 0.30, 0.20, 0.12, 0.06, 0.03,
)  # fmt: skip
DAY_DWELL_MIN: Final = 100.0  # median stay of a daytime arrival, minutes
NIGHT_DWELL_MIN: Final = 600.0  # median stay of an evening arrival (overnight), minutes
DWELL_SIGMA: Final = 0.8  # log-normal spread of stays
MAX_DELAY_S: Final = 6 * 3600.0  # re-evaluate a quiet slot at least this often


@dataclass(frozen=True, slots=True)
class Step:
    """What a slot does next: after `delay_s` of simulated time it reports `status`."""

    delay_s: float
    status: DetectedStatus
    confidence: float
    glitch: bool = False  # a false reading that the next step corrects


def arrival_rate(hour: float) -> float:
    """Arrivals per free slot per hour at a (fractional) hour of day, interpolated."""
    hour %= 24.0
    low = int(hour)
    weight = hour - low
    return HOURLY_ARRIVALS[low] * (1 - weight) + HOURLY_ARRIVALS[(low + 1) % 24] * weight


def occupancy_share(hour: float) -> float:
    """Steady-state share of occupied slots at an hour (arrival rate x stay), for the start."""
    rate = arrival_rate(hour)
    stay_h = dwell_median_min(hour) / 60.0 * math.exp(DWELL_SIGMA**2 / 2)
    return rate * stay_h / (1 + rate * stay_h)


def dwell_median_min(hour: float) -> float:
    """Median stay of a car arriving at `hour`: long in the evening, short by day."""
    hour %= 24.0
    return NIGHT_DWELL_MIN if hour >= 18.0 or hour < 5.0 else DAY_DWELL_MIN


def detection_confidence(rng: random.Random) -> float:
    """A plausible detector confidence for a correct reading."""
    return round(min(0.99, max(0.55, rng.gauss(0.9, 0.06))), 3)


def next_step(status: DetectedStatus, hour: float, rng: random.Random, noise: float) -> Step:
    """The next reading of a slot now `status` at `hour` of day."""
    if status is DetectedStatus.OCCUPIED:
        minutes = rng.lognormvariate(math.log(dwell_median_min(hour)), DWELL_SIGMA)
        following = DetectedStatus.FREE
        delay = minutes * 60.0
    else:
        rate_per_s = arrival_rate(hour) / 3600.0
        delay = rng.expovariate(rate_per_s) if rate_per_s > 0 else MAX_DELAY_S
        following = DetectedStatus.OCCUPIED
    if rng.random() < noise:  # an occlusion or a shadow got past the debouncer meanwhile
        at = rng.uniform(0.0, min(delay, MAX_DELAY_S))
        return Step(at, following, round(rng.uniform(0.4, 0.6), 3), glitch=True)
    if status is not DetectedStatus.OCCUPIED and delay > MAX_DELAY_S:
        # Nothing arrived yet; draw again later, when the hour's rate may have changed.
        return Step(MAX_DELAY_S, status, detection_confidence(rng))
    return Step(delay, following, detection_confidence(rng))


def glitch_repair(rng: random.Random, real: DetectedStatus) -> Step:
    """The correction after a glitch: the real status again, seconds to a minute later."""
    return Step(rng.uniform(5.0, 60.0), real, detection_confidence(rng))


def initial_status(hour: float, rng: random.Random) -> DetectedStatus:
    """A slot's status when the simulation starts at `hour`."""
    if rng.random() < occupancy_share(hour):
        return DetectedStatus.OCCUPIED
    return DetectedStatus.FREE


@dataclass(slots=True)
class TokenBucket:
    """At most `rate` events per second on average, bursts up to `burst` (pure arithmetic)."""

    rate: float
    burst: float
    tokens: float = 0.0
    updated: float = 0.0

    def take(self, now: float) -> float:
        """Take one token at monotonic time `now`; returns 0 or the seconds to wait first."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate
