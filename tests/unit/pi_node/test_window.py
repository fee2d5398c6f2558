"""The bounded in-flight window keyed by MQTT message id."""

import pytest

from pi_node.window import Window


def test_window_bounds_and_settles() -> None:
    window = Window(2)
    window.sent(1, 10)
    window.sent(2, 11)
    assert window.room() == 0
    assert window.cursor == 11
    with pytest.raises(RuntimeError, match="full"):
        window.sent(3, 12)
    assert window.acked(1) == 10
    assert window.acked(1) is None  # a duplicate PUBACK settles nothing
    assert window.acked(77) is None  # not ours (the birth)
    assert window.room() == 1
    assert window.outstanding == 1


def test_an_outstanding_id_is_never_reused() -> None:
    window = Window(5)
    window.sent(7, 1)
    with pytest.raises(RuntimeError, match="still outstanding"):
        window.sent(7, 2)


@pytest.mark.parametrize("size", [0, 65535, 100_000])
def test_window_size_must_fit_the_16_bit_message_ids(size: int) -> None:
    with pytest.raises(ValueError, match="window size"):
        Window(size)
