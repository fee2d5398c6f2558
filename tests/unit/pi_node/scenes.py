"""Synthetic parking scenes drawn with OpenCV: a row of marked slots, car-like shapes in some."""

from typing import Final

import cv2
import numpy as np

from pi_node.detect import Frame
from pi_node.geometry import Box
from schemas.messages import SlotPolygon

WIDTH, HEIGHT = 640, 480
TOP, BOTTOM = 200, 420  # slot row, in pixels
SLOT_W: Final = 96
LEFT: Final = 32
ASPHALT: Final = 95
CAR_COLOURS: Final = ((40, 40, 200), (200, 200, 200), (30, 30, 30), (180, 90, 20), (20, 160, 220))


def slot_ids(count: int = 6) -> list[str]:
    """A01, A02, ..."""
    return [f"A{i:02d}" for i in range(1, count + 1)]


def slot_polygons(count: int = 6) -> list[SlotPolygon]:
    """`count` rectangular slots side by side."""
    return [
        SlotPolygon(
            slot_id=slot_id,
            polygon=[
                (LEFT + i * SLOT_W, TOP),
                (LEFT + (i + 1) * SLOT_W, TOP),
                (LEFT + (i + 1) * SLOT_W, BOTTOM),
                (LEFT + i * SLOT_W, BOTTOM),
            ],
        )
        for i, slot_id in enumerate(slot_ids(count))
    ]


def car_box(index: int, shift_x: int = 0) -> Box:
    """Where the car in slot `index` is drawn (optionally shifted sideways)."""
    x1 = LEFT + index * SLOT_W + 12 + shift_x
    return Box(x1, TOP + 20, x1 + SLOT_W - 24, BOTTOM - 20, "car", 0.9)


def draw_lot(
    cars: dict[int, int] | None = None,
    *,
    count: int = 6,
    brightness: int = 0,
    person_at: int | None = None,
    seed: int = 0,
) -> Frame:
    """The lot with a car in each slot index of `cars` (index -> sideways shift in px)."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(0, 4, (HEIGHT, WIDTH, 1)).astype(np.int16)
    frame = np.clip(ASPHALT + brightness + noise, 0, 255).astype(np.uint8).repeat(3, axis=2)
    for i in range(count + 1):  # the painted lines between slots
        x = LEFT + i * SLOT_W
        cv2.line(frame, (x, TOP), (x, BOTTOM), (235, 235, 235), 3)
    for index, shift in (cars or {}).items():
        _draw_car(frame, car_box(index, shift), CAR_COLOURS[index % len(CAR_COLOURS)])
    if person_at is not None:
        centre = (LEFT + person_at * SLOT_W + SLOT_W // 2, (TOP + BOTTOM) // 2)
        cv2.ellipse(frame, centre, (9, 30), 0, 0, 360, (60, 120, 160), -1)
    return frame


def _draw_car(frame: Frame, box: Box, colour: tuple[int, int, int]) -> None:
    x1, y1, x2, y2 = int(box.x1), int(box.y1), int(box.x2), int(box.y2)
    cv2.rectangle(frame, (x1, y1), (x2, y2), colour, -1)
    cv2.rectangle(frame, (x1, y1), (x2, y2), (15, 15, 15), 2)
    height = y2 - y1
    cv2.rectangle(
        frame, (x1 + 8, y1 + height // 5), (x2 - 8, y1 + 2 * height // 5), (50, 40, 30), -1
    )
    cv2.rectangle(
        frame, (x1 + 8, y2 - 2 * height // 5), (x2 - 8, y2 - height // 5), (50, 40, 30), -1
    )
    for wx in (x1 - 3, x2 - 5):
        for wy in (y1 + 15, y2 - 45):
            cv2.rectangle(frame, (wx, wy), (wx + 8, wy + 30), (10, 10, 10), -1)
