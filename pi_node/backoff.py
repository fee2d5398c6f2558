"""Exponential backoff, shared by camera retries and broker reconnects (pure)."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delay before retry number `failures`: `initial`, doubling, capped at `maximum`."""

    initial: float
    maximum: float
    factor: float = 2.0

    def delay(self, failures: int) -> float:
        """Seconds to wait after `failures` consecutive failures (0 when none)."""
        if failures <= 0:
            return 0.0
        return min(self.maximum, self.initial * self.factor ** (failures - 1))
