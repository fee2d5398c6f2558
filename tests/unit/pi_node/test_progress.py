"""When the node sends its held events again: no receipt for a quiet interval."""

from pi_node.mqtt import _Progress
from pi_node.window import Window

QUIET = 15.0


def idle_window() -> Window:
    return Window(8)


def test_a_quiet_interval_without_receipt_sends_again_once_per_interval() -> None:
    progress = _Progress(since=0.0, confirmed=0)
    window = idle_window()

    def stalled(now: float, **kw: int) -> bool:
        args = {"sent": 0, "confirmed": 0, "held": 5} | kw
        return progress.stalled(now, window=window, quiet_s=QUIET, **args)

    assert not stalled(10.0)
    assert stalled(15.0)
    assert not stalled(20.0)  # the interval starts over
    assert stalled(30.0)


def test_sending_or_a_moving_receipt_is_progress() -> None:
    progress = _Progress(since=0.0, confirmed=0)
    window = idle_window()
    assert not progress.stalled(14.0, sent=3, confirmed=0, window=window, quiet_s=QUIET, held=5)
    assert not progress.stalled(28.0, sent=0, confirmed=2, window=window, quiet_s=QUIET, held=3)
    assert not progress.stalled(42.0, sent=0, confirmed=2, window=window, quiet_s=QUIET, held=3)
    assert progress.stalled(43.0, sent=0, confirmed=2, window=window, quiet_s=QUIET, held=3)


def test_nothing_held_or_acknowledgements_outstanding_is_no_stall() -> None:
    progress = _Progress(since=0.0, confirmed=0)
    busy = Window(8)
    busy.sent(1, 10)
    assert not progress.stalled(99.0, sent=0, confirmed=0, window=busy, quiet_s=QUIET, held=5)
    assert not progress.stalled(99.0, sent=0, confirmed=0, window=idle_window(), quiet_s=QUIET,
                                held=0)  # fmt: skip
