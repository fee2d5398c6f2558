"""Synthetic scenes -> the right slots occupied, for the classic detector and box mapping."""

from pathlib import Path

import cv2
import pytest

from pi_node.debounce import Reading
from pi_node.detect import Frame
from pi_node.detect.base import BoxScorer
from pi_node.detect.classic import ClassicScorer, confidence_of
from pi_node.geometry import Box
from schemas.messages import ClassicDetectorConfig
from tests.unit.pi_node.scenes import car_box, draw_lot, slot_ids, slot_polygons


def occupied(readings: dict[str, Reading], threshold: float) -> set[str]:
    return {slot for slot, reading in readings.items() if reading.score >= threshold}


@pytest.fixture
def reference(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("ref") / "empty.png"
    cv2.imwrite(str(path), draw_lot(seed=99))
    return str(path)


SCENES = [
    pytest.param({}, {}, set(), id="empty lot"),
    pytest.param({0: 0, 2: 0, 5: 0}, {}, {"A01", "A03", "A06"}, id="three cars"),
    pytest.param({1: 0}, {"brightness": 35}, {"A02"}, id="sunny: global brightness shift"),
    pytest.param({3: 0}, {"brightness": -30}, {"A04"}, id="cloudy"),
    pytest.param({}, {"person_at": 2}, set(), id="a person walking through is no car"),
    pytest.param({4: 20}, {}, {"A05"}, id="badly parked, still mostly in its slot"),
]


@pytest.mark.parametrize(("cars", "scene", "expected"), SCENES)
def test_classic_with_reference(
    reference: str, cars: dict[int, int], scene: dict[str, int], expected: set[str]
) -> None:
    scorer = ClassicScorer(
        ClassicDetectorConfig(backend="classic", reference=reference), slot_polygons()
    )
    readings = scorer.score(draw_lot(cars, seed=7, **scene))
    assert occupied(readings, scorer.threshold) == expected
    assert set(readings) == set(slot_ids())


@pytest.mark.parametrize(
    ("cars", "expected"),
    [({}, set()), ({0: 0, 4: 0}, {"A01", "A05"}), ({1: 0, 2: 0, 3: 0}, {"A02", "A03", "A04"})],
)
def test_classic_without_reference_uses_edges(cars: dict[int, int], expected: set[str]) -> None:
    # Without a reference the score is edge texture: empty asphalt scores about 0.2 here.
    config = ClassicDetectorConfig(backend="classic", threshold=0.4)
    scorer = ClassicScorer(config, slot_polygons())
    assert scorer.name == "classic:edges"
    assert occupied(scorer.score(draw_lot(cars, seed=3)), scorer.threshold) == expected


def test_a_reference_of_another_size_is_scaled_to_the_frame(tmp_path: Path) -> None:
    path = tmp_path / "empty-hd.png"
    cv2.imwrite(str(path), cv2.resize(draw_lot(seed=5), (1280, 960)))
    config = ClassicDetectorConfig(backend="classic", reference=str(path))
    scorer = ClassicScorer(config, slot_polygons())
    assert occupied(scorer.score(draw_lot({2: 0})), scorer.threshold) == {"A03"}


@pytest.mark.parametrize(
    ("score", "threshold", "expected"),
    [(0.5, 0.5, 0.5), (1.0, 0.5, 1.0), (0.0, 0.5, 1.0), (0.75, 0.5, 0.75), (0.2, 0.2, 0.5)],
)
def test_confidence_grows_away_from_the_threshold(
    score: float, threshold: float, expected: float
) -> None:
    assert confidence_of(score, threshold) == pytest.approx(expected)


class FixedBoxes:
    """A box detector that reports the boxes it was given (what a model would see)."""

    name = "fixed"

    def __init__(self, boxes: list[Box]) -> None:
        self.boxes = boxes

    def detect(self, frame: Frame) -> list[Box]:
        return self.boxes


@pytest.mark.parametrize(
    ("boxes", "expected"),
    [
        pytest.param([], set(), id="nothing detected"),
        pytest.param([car_box(0), car_box(3)], {"A01", "A04"}, id="two cars"),
        pytest.param([car_box(1, shift_x=30)], {"A02"}, id="straddling: the slot it covers most"),
        pytest.param([car_box(2, shift_x=70)], {"A04"}, id="moved mostly into the next slot"),
        pytest.param([Box(0, 0, 640, 150, "car", 0.9)], set(), id="a car on the road above"),
    ],
)
def test_box_mapping_on_the_scene(boxes: list[Box], expected: set[str]) -> None:
    scorer = BoxScorer(FixedBoxes(boxes), slot_polygons(), min_overlap=0.35)
    readings = scorer.score(draw_lot())
    assert occupied(readings, scorer.threshold) == expected
    for slot in expected:
        assert readings[slot].confidence == 0.9
