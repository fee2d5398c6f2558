"""A per-node budget of dead letters per minute (pure, in memory, one per worker).

A node sending garbage must not fill `dead_letters`: past its budget a refused message is
acknowledged and only counted (`ingest_dead_letters_suppressed_total`). Each worker keeps its
own budget, so a node's ceiling is the budget times the number of workers.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

WINDOW: Final = timedelta(minutes=1)
MAX_TRACKED: Final = 100_000  # distinct senders remembered; the oldest windows go first


@dataclass
class DeadLetterQuota:
    """`per_minute` dead letters per sender (node id, or None for unattributable messages)."""

    per_minute: int
    _windows: dict[str | None, tuple[datetime, int]] = field(default_factory=dict)

    def admit(self, sender: str | None, now: datetime) -> bool:
        """Whether one more dead letter from `sender` is stored now."""
        start, used = self._windows.get(sender, (now, 0))
        if now - start >= WINDOW or now < start:
            start, used = now, 0
        if used >= self.per_minute:
            return False
        self._windows[sender] = (start, used + 1)
        if len(self._windows) > MAX_TRACKED:
            self._forget_expired(now)
        return True

    def _forget_expired(self, now: datetime) -> None:
        expired = [k for k, (start, _) in self._windows.items() if now - start >= WINDOW]
        for key in expired or list(self._windows)[: len(self._windows) // 2]:
            del self._windows[key]
