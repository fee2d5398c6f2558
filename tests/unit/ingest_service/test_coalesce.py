"""Keys handled together at most once per interval."""

import math

from ingest_service.coalesce import Coalesced


def test_keys_wait_for_their_round_and_a_forced_round_takes_them_at_once() -> None:
    lots: Coalesced[int] = Coalesced(interval_s=0.1)
    assert lots.wake_at() == math.inf  # nothing waits
    lots.add([1, 2])
    assert lots.take(now=10.0) == {1, 2}  # the first round is due at once
    lots.add([3])
    lots.add([3, 4])
    assert lots.wake_at() == 10.1
    assert lots.take(now=10.05) == set()  # within the interval
    assert lots.take(now=10.05, force=True) == {3, 4}  # shutting down: now
    lots.add([5])
    assert lots.take(now=10.2) == {5}
    assert lots.take(now=99.0, force=True) == set()  # nothing left
