"""The API's notion of now: the system clock, replaceable per app (tests move time on)."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final

from flask import current_app

CLOCK_KEY: Final = "parking_clock"


def system_now() -> datetime:
    return datetime.now(UTC)


def utcnow() -> datetime:
    """Now, from the current app's clock."""
    clock: Callable[[], datetime] = current_app.extensions.get(CLOCK_KEY, system_now)
    return clock()
