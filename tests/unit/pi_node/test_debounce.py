"""Hysteresis votes and confirmation over frames: flicker and passers-by yield no event."""

from datetime import UTC, datetime

import pytest

from pi_node.debounce import Debouncer, Reading, Thresholds, Track, step, vote
from schemas.enums import DetectedStatus

FREE, OCC, UNK = DetectedStatus.FREE, DetectedStatus.OCCUPIED, DetectedStatus.UNKNOWN
T = Thresholds(enter=0.5, leave=0.3)
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("score", "current", "expected"),
    [
        (0.6, FREE, OCC),
        (0.5, FREE, OCC),
        (0.4, FREE, FREE),
        (0.4, OCC, OCC),  # inside the dead band a car stays parked
        (0.29, OCC, FREE),
        (0.4, UNK, FREE),  # no state to hold yet: below `enter` is free
        (0.0, UNK, FREE),
    ],
)
def test_vote(score: float, current: DetectedStatus, expected: DetectedStatus) -> None:
    assert vote(score, current, T) is expected


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="leave <= enter"):
        Thresholds(enter=0.3, leave=0.5)


def test_step_confirms_after_n_frames_with_mean_confidence() -> None:
    track = Track(FREE)
    track, done = step(track, OCC, 0.8, confirm_frames=2)
    assert done is None
    track, done = step(track, OCC, 0.6, confirm_frames=2)
    assert done == pytest.approx(0.7)
    assert track == Track(OCC)


def scores_of(pattern: str) -> list[float]:
    """'o' = a car covers the slot, '.' = empty, '~' = in the dead band."""
    return [{"o": 0.9, ".": 0.05, "~": 0.4}[char] for char in pattern]


@pytest.mark.parametrize(
    ("pattern", "confirm", "expected"),
    [
        pytest.param("...", 3, [FREE], id="start-up: the first state is confirmed too"),
        pytest.param("......", 3, [FREE], id="steady: one event only"),
        pytest.param("...oo...", 3, [FREE], id="passer-by for 2 frames: nothing"),
        pytest.param("...o.o.o.o", 3, [FREE], id="flicker: nothing"),
        pytest.param("...ooo", 3, [FREE, OCC], id="a car parks: one event"),
        pytest.param("...oooooooo", 3, [FREE, OCC], id="and stays: still one"),
        pytest.param("...ooo~~~~~", 3, [FREE, OCC], id="dead band holds occupied"),
        pytest.param("...ooo.o.o.o", 3, [FREE, OCC], id="flicker while parked: nothing"),
        pytest.param("...ooo...", 3, [FREE, OCC, FREE], id="parks and leaves"),
        pytest.param(".o", 1, [FREE, OCC], id="confirm_frames=1 passes everything"),
    ],
)
def test_debouncer_sequences(pattern: str, confirm: int, expected: list[DetectedStatus]) -> None:
    debouncer = Debouncer(["A01"], T, confirm)
    seen = []
    for score in scores_of(pattern):
        seen += [c.status for c in debouncer.observe({"A01": Reading(score, 0.9)}, NOW)]
    assert seen == expected


def test_a_slot_without_reading_keeps_its_streak() -> None:
    debouncer = Debouncer(["A01", "A02"], T, 2, known={"A01": FREE, "A02": FREE})
    debouncer.observe({"A01": Reading(0.9, 0.9)}, NOW)
    changes = debouncer.observe({"A01": Reading(0.9, 0.9), "A02": Reading(0.0, 0.9)}, NOW)
    assert [(c.slot_id, c.status) for c in changes] == [("A01", OCC)]


def test_forget_turns_known_slots_unknown_once() -> None:
    debouncer = Debouncer(["A01", "A02"], T, 1, known={"A01": OCC})
    assert [(c.slot_id, c.status) for c in debouncer.forget(NOW)] == [("A01", UNK)]
    assert debouncer.forget(NOW) == []
    assert debouncer.statuses() == {"A01": UNK, "A02": UNK}
