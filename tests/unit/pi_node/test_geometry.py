"""Box/polygon overlap and the slot-occupied decision."""

import pytest

from pi_node.geometry import Box, Point, polygon_area, slot_occupied, slot_overlap

SQUARE: list[Point] = [(0, 0), (10, 0), (10, 10), (0, 10)]
TRAPEZOID: list[Point] = [(0, 0), (10, 0), (8, 10), (2, 10)]  # a slot seen in perspective
L_SHAPE: list[Point] = [(0, 0), (10, 0), (10, 4), (4, 4), (4, 10), (0, 10)]  # concave


def box(x1: float, y1: float, x2: float, y2: float, label: str = "car") -> Box:
    return Box(x1, y1, x2, y2, label, 0.9)


@pytest.mark.parametrize(
    ("polygon", "area"),
    [(SQUARE, 100.0), (TRAPEZOID, 80.0), (L_SHAPE, 64.0), (list(reversed(SQUARE)), 100.0)],
)
def test_polygon_area(polygon: list[Point], area: float) -> None:
    assert polygon_area(polygon) == pytest.approx(area)


@pytest.mark.parametrize(
    ("detection", "polygon", "overlap"),
    [
        (box(0, 0, 10, 10), SQUARE, 1.0),
        (box(-5, -5, 20, 20), SQUARE, 1.0),  # a box larger than the slot covers all of it
        (box(0, 0, 5, 10), SQUARE, 0.5),
        (box(5, 5, 15, 15), SQUARE, 0.25),
        (box(10, 0, 20, 10), SQUARE, 0.0),  # touching edges only
        (box(20, 20, 30, 30), SQUARE, 0.0),
        (box(0, 0, 10, 5), TRAPEZOID, 45 / 80),
        (box(0, 5, 10, 10), L_SHAPE, 20 / 64),  # only the concave part's lower leg
        (box(5, 5, 10, 10), L_SHAPE, 0.0),  # the notch of the L
        (box(5, 5, 5, 10), SQUARE, 0.0),  # degenerate box
    ],
)
def test_slot_overlap(detection: Box, polygon: list[Point], overlap: float) -> None:
    assert slot_overlap(detection, polygon) == pytest.approx(overlap)


@pytest.mark.parametrize(
    ("boxes", "min_overlap", "occupied"),
    [
        ([], 0.35, False),
        ([box(0, 0, 4, 10)], 0.35, True),
        ([box(0, 0, 3, 10)], 0.35, False),
        ([box(0, 0, 3, 10), box(7, 0, 10, 10)], 0.35, False),  # two slivers are no car
        ([box(0, 0, 3, 10), box(1, 1, 9, 9)], 0.35, True),
        ([box(0, 0, 10, 10)], 1.0, True),
    ],
)
def test_slot_occupied(boxes: list[Box], min_overlap: float, occupied: bool) -> None:
    assert slot_occupied(boxes, SQUARE, min_overlap) is occupied
