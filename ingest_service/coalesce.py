"""Keys gathered between rounds and handled together at most once per interval (pure).

A busy lot's read side, or a busy node's receipt, costs one round per interval, not one per
batch: the worker adds the keys each batch touched and takes them when the round is due.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K")


@dataclass
class Coalesced(Generic[K]):
    """The keys waiting for their next round, and when that round may run."""

    interval_s: float
    pending: set[K] = field(default_factory=set)
    next_at: float = 0.0

    def add(self, keys: Iterable[K]) -> None:
        """Keys to handle in the next round."""
        self.pending.update(keys)

    def wake_at(self) -> float:
        """When the next round is due: never while no key waits."""
        return self.next_at if self.pending else math.inf

    def take(self, now: float, *, force: bool = False) -> set[K]:
        """The waiting keys when a round is due (or forced), starting the next interval."""
        if not self.pending or not (force or now >= self.next_at):
            return set()
        taken, self.pending = self.pending, set()
        self.next_at = now + self.interval_s
        return taken
