"""Per-client rate limits by category, on the `limits` library (Flask-Limiter's engine).

A route names its category (`auth`, `public`, `user`); the limit strings come from the
settings, and counters live in memory by default or in the configured storage.
"""

import time
from typing import Final, Literal, TypeAlias

from flask import Flask, current_app, request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from api_service.errors import ApiError
from api_service.settings import ApiSettings

Category: TypeAlias = Literal["auth", "public", "user"]
_KEY: Final = "parking_rate_limits"


class RateLimits:
    """The app's limiter: one moving window per (category, client)."""

    def __init__(self, settings: ApiSettings) -> None:
        self.enabled = settings.rate_limit_enabled
        self._limiter = MovingWindowRateLimiter(
            storage_from_string(settings.rate_limit_storage_uri)
        )
        self._items: dict[Category, RateLimitItem] = {
            "auth": parse(settings.rate_limit_auth),
            "public": parse(settings.rate_limit_public),
            "user": parse(settings.rate_limit_user),
        }

    def init_app(self, app: Flask) -> None:
        app.extensions[_KEY] = self

    def hit(self, category: Category, client: str) -> None:
        """Count one request; raise 429 with Retry-After once the client is over its limit."""
        item = self._items[category]
        if not self.enabled or self._limiter.hit(item, category, client):
            return
        reset_at, _remaining = self._limiter.get_window_stats(item, category, client)
        retry = max(1, int(reset_at - time.time()) + 1)
        raise ApiError(
            429,
            "rate-limited",
            "Too Many Requests",
            f"more than {item} for {category} requests; retry in {retry} s",
            headers={"Retry-After": str(retry)},
        )


def check_rate(category: Category) -> None:
    """Count this request against its client's `category` limit."""
    limits: RateLimits = current_app.extensions[_KEY]
    limits.hit(category, request.remote_addr or "unknown")
