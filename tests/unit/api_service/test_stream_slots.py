"""Live-stream admission: per-client and total caps, Retry-After, bounded lifetimes."""

import pytest

from api_service.errors import ApiError
from api_service.stream_slots import LIFETIME_SPREAD, StreamLimits, StreamSlots, client_key

LIMITS = StreamLimits(per_client=2, total=3, lifetime_s=100.0)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def slots(clock: Clock, limits: StreamLimits = LIMITS) -> StreamSlots:
    return StreamSlots(limits, clock, spread=lambda _low, high: high)


def refused(streams: StreamSlots, address: str) -> ApiError:
    with pytest.raises(ApiError) as caught:
        streams.open(address)
    assert caught.value.status in {429, 503}
    return caught.value


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("10.0.0.1", "10.0.0.1"),
        ("2001:db8::1", "2001:db8::/64"),
        ("2001:db8::ffff:1", "2001:db8::/64"),  # the same subscriber's /64
        ("2001:db8:0:1::1", "2001:db8:0:1::/64"),
        ("::ffff:10.0.0.1", "10.0.0.1"),  # IPv4 on a dual-stack socket
        (None, "unknown"),
        ("not-an-address", "unknown"),
    ],
)
def test_client_key(address: str | None, key: str) -> None:
    assert client_key(address) == key


def test_one_client_gets_429_at_its_cap_and_others_still_get_in() -> None:
    clock = Clock()
    streams = slots(clock)
    first = streams.open("10.0.0.1")
    clock.now += 30
    streams.open("10.0.0.1")
    error = refused(streams, "10.0.0.1")
    assert (error.status, error.slug) == (429, "too-many-streams-per-client")
    # By then its oldest stream has certainly ended.
    assert error.headers["Retry-After"] == str(round(first.ends_at - clock.now))
    streams.open("10.0.0.2")


def test_everyone_gets_503_at_the_total_cap_until_a_stream_ends() -> None:
    clock = Clock()
    streams = slots(clock)
    oldest = streams.open("10.0.0.1")
    clock.now += 10
    streams.open("10.0.0.2")
    streams.open("10.0.0.3")
    error = refused(streams, "10.0.0.4")
    assert (error.status, error.slug) == (503, "too-many-streams")
    assert error.headers["Retry-After"] == "90"
    streams.release(oldest)
    streams.open("10.0.0.4")
    assert streams.open_count == 3


def test_one_ipv6_subscriber_counts_once() -> None:
    streams = slots(Clock())
    streams.open("2001:db8::1")
    streams.open("2001:db8::2")
    assert refused(streams, "2001:db8::3").status == 429


def test_retry_after_is_at_least_a_second() -> None:
    clock = Clock()
    streams = slots(clock, StreamLimits(per_client=1, total=1, lifetime_s=100.0))
    streams.open("10.0.0.1")
    clock.now += 100.0
    assert refused(streams, "10.0.0.1").headers["Retry-After"] == "1"


def test_lifetimes_are_bounded_and_spread() -> None:
    clock = Clock()
    streams = StreamSlots(StreamLimits(per_client=50, total=50, lifetime_s=100.0), clock)
    lifetimes = {streams.open("10.0.0.1").ends_at - clock.now for _ in range(50)}
    assert all(LIFETIME_SPREAD * 100.0 <= life <= 100.0 for life in lifetimes)
    assert len(lifetimes) > 1


def test_a_stream_knows_how_long_it_may_still_run() -> None:
    clock = Clock()
    streams = slots(clock)
    lease = streams.open("10.0.0.1")
    clock.now += 40
    assert streams.remaining_s(lease) == 60.0
    clock.now += 100
    assert streams.remaining_s(lease) == 0.0
