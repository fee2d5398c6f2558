"""Box/polygon geometry: how much of a slot a vehicle box covers (pure, no I/O)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

Point: TypeAlias = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned detection box in image pixels, with its class and confidence."""

    x1: float
    y1: float
    x2: float
    y2: float
    label: str
    confidence: float


def polygon_area(polygon: Sequence[Point]) -> float:
    """The area enclosed by a simple polygon (shoelace formula), whatever its orientation."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(polygon, [*polygon[1:], polygon[0]], strict=True):
        total += x1 * y2 - x2 * y1
    return abs(total) / 2.0


@dataclass(frozen=True, slots=True)
class _HalfPlane:
    """`coordinate axis` (0 = x, 1 = y) on the kept side of `limit` (`keep_above`)."""

    axis: int
    limit: float
    keep_above: bool

    def contains(self, point: Point) -> bool:
        value = point[self.axis]
        return value >= self.limit if self.keep_above else value <= self.limit

    def crossing(self, start: Point, end: Point) -> Point:
        t = (self.limit - start[self.axis]) / (end[self.axis] - start[self.axis])
        x = start[0] + t * (end[0] - start[0])
        y = start[1] + t * (end[1] - start[1])
        return (self.limit, y) if self.axis == 0 else (x, self.limit)


def _clip(polygon: list[Point], inside: _HalfPlane) -> list[Point]:
    """One Sutherland-Hodgman pass: the part of `polygon` inside one half-plane."""
    clipped: list[Point] = []
    for index, current in enumerate(polygon):
        previous = polygon[index - 1]
        if inside.contains(current):
            if not inside.contains(previous):
                clipped.append(inside.crossing(previous, current))
            clipped.append(current)
        elif inside.contains(previous):
            clipped.append(inside.crossing(previous, current))
    return clipped


def intersection_area(box: Box, polygon: Sequence[Point]) -> float:
    """Area of the part of `polygon` inside `box` (exact for any simple polygon)."""
    # Clipping against a convex window (the box) is exact for concave subjects as far as
    # area goes: the degenerate edges it may leave enclose no area.
    clipped = list(polygon)
    for plane in (
        _HalfPlane(0, box.x1, keep_above=True),
        _HalfPlane(0, box.x2, keep_above=False),
        _HalfPlane(1, box.y1, keep_above=True),
        _HalfPlane(1, box.y2, keep_above=False),
    ):
        clipped = _clip(clipped, plane)
        if len(clipped) < 3:
            return 0.0
    return polygon_area(clipped)


def slot_overlap(box: Box, polygon: Sequence[Point]) -> float:
    """The share of the slot polygon that `box` covers, 0..1."""
    area = polygon_area(polygon)
    if area <= 0.0 or box.x2 <= box.x1 or box.y2 <= box.y1:
        return 0.0
    return min(1.0, intersection_area(box, polygon) / area)


def best_box(boxes: Iterable[Box], polygon: Sequence[Point]) -> tuple[float, Box | None]:
    """The box covering the largest share of the slot, with that share (0, None if none)."""
    best: tuple[float, Box | None] = (0.0, None)
    for box in boxes:
        overlap = slot_overlap(box, polygon)
        if overlap > best[0]:
            best = (overlap, box)
    return best


def slot_occupied(boxes: Iterable[Box], polygon: Sequence[Point], min_overlap: float) -> bool:
    """Whether one vehicle box covers at least `min_overlap` of the slot polygon."""
    return any(slot_overlap(box, polygon) >= min_overlap for box in boxes)
