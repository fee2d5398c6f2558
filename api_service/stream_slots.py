"""Who may open one more live stream (SSE), and for how long it may run.

A stream holds one of the server's threads for its whole life (gunicorn gthread), so the
streams of a process are capped in total, below the thread count, leaving threads for
every other request; and per client address, so one client cannot take them all. Each
stream also has a bounded lifetime, spread a little so streams opened together do not all
reconnect together; the client then reconnects (EventSource does so by itself).
"""

import ipaddress
import itertools
import math
import random
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from time import monotonic
from typing import Final

from api_service.errors import ApiError

# A stream's lifetime is drawn from [SPREAD * max, max].
LIFETIME_SPREAD: Final = 0.8
# IPv6 clients get a /64 each (a subscriber's usual share), not one per address.
_IPV6_CLIENT_PREFIX: Final = 64


@dataclass(frozen=True, slots=True)
class StreamLimits:
    """Caps on open streams (per process) and a stream's longest life, in seconds."""

    per_client: int
    total: int
    lifetime_s: float


@dataclass(frozen=True, slots=True)
class Lease:
    """One open stream: whose it is, and when (monotonic seconds) it must end."""

    id: int
    client: str
    ends_at: float


def client_key(address: str | None) -> str:
    """The client a stream counts against: its IPv4 address, or its IPv6 /64 (pure)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, _IPV6_CLIENT_PREFIX), strict=False))
    return str(ip)


def refusal(
    open_leases: Iterable[Lease], client: str, limits: StreamLimits, now: float
) -> ApiError | None:
    """Why `client` may not open another stream now (None: it may), with a Retry-After
    by which a slot is sure to be free: when the oldest stream in the way must end (pure)."""
    leases = list(open_leases)
    mine = [lease.ends_at for lease in leases if lease.client == client]
    if len(mine) >= limits.per_client:
        return ApiError(
            429,
            "too-many-streams-per-client",
            "Too Many Requests",
            f"at most {limits.per_client} live streams per client; close one or retry later",
            headers={"Retry-After": _retry_after(min(mine), now)},
        )
    if len(leases) >= limits.total:
        return ApiError(
            503,
            "too-many-streams",
            "Service Unavailable",
            "the server is serving as many live streams as it can; retry later",
            headers={"Retry-After": _retry_after(min(lease.ends_at for lease in leases), now)},
        )
    return None


def _retry_after(ends_at: float, now: float) -> str:
    return str(max(1, math.ceil(ends_at - now)))


class StreamSlots:
    """The open streams of this process: admitted by `refusal`, released when they end."""

    def __init__(
        self,
        limits: StreamLimits,
        clock: Callable[[], float] = monotonic,
        spread: Callable[[float, float], float] = random.uniform,
    ) -> None:
        self.limits = limits
        self._clock = clock
        self._spread = spread
        self._open: dict[int, Lease] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def open(self, address: str | None) -> Lease:
        """A lease for one more stream from `address`, or the 429/503 ApiError why not."""
        client, now = client_key(address), self._clock()
        lifetime = self._spread(LIFETIME_SPREAD * self.limits.lifetime_s, self.limits.lifetime_s)
        with self._lock:
            refused = refusal(self._open.values(), client, self.limits, now)
            if refused is not None:
                raise refused
            lease = Lease(next(self._ids), client, now + lifetime)
            self._open[lease.id] = lease
        return lease

    def release(self, lease: Lease) -> None:
        """The stream has ended (or never started)."""
        with self._lock:
            self._open.pop(lease.id, None)

    def remaining_s(self, lease: Lease) -> float:
        """How long the stream may still run."""
        return max(0.0, lease.ends_at - self._clock())

    @property
    def open_count(self) -> int:
        with self._lock:
            return len(self._open)
