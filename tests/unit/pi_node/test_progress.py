"""When the node sends its held events again: the receipt has not moved for a while."""

from pi_node.mqtt import MAX_BACKOFF, _Progress

QUIET = 5.0


def test_a_stuck_receipt_sends_again_with_a_growing_wait() -> None:
    progress = _Progress(since=0.0, confirmed=0)

    def stalled(now: float) -> float | None:
        return progress.stalled(now, confirmed=0, held=5, quiet_s=QUIET)

    assert stalled(4.0) is None
    assert stalled(5.0) == 5.0
    assert stalled(14.0) is None  # now it waits twice as long
    assert stalled(15.0) == 10.0
    waits = []
    now = 15.0
    for _ in range(6):
        now += QUIET * MAX_BACKOFF
        waits.append(stalled(now))
    assert waits[-1] == QUIET * MAX_BACKOFF  # capped


def test_a_moving_receipt_or_an_empty_outbox_starts_over() -> None:
    progress = _Progress(since=0.0, confirmed=0)
    assert progress.stalled(5.0, confirmed=0, held=5, quiet_s=QUIET) == 5.0
    assert progress.stalled(9.0, confirmed=3, held=2, quiet_s=QUIET) is None  # progress
    assert progress.stalled(13.0, confirmed=3, held=2, quiet_s=QUIET) is None
    assert progress.stalled(14.0, confirmed=3, held=2, quiet_s=QUIET) == 5.0  # base wait again
    # Idle for an hour, then one new event: not resent before its own quiet interval.
    idle = _Progress(since=0.0, confirmed=3)
    assert idle.stalled(3600.0, confirmed=3, held=0, quiet_s=QUIET) is None
    assert idle.stalled(3601.0, confirmed=3, held=1, quiet_s=QUIET) is None
    assert idle.stalled(3605.0, confirmed=3, held=1, quiet_s=QUIET) == 5.0
