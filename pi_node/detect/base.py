"""The detector interfaces and the box -> slot mapping shared by the box backends."""

from collections.abc import Sequence
from typing import Any, Protocol, TypeAlias

import numpy as np
import numpy.typing as npt

from pi_node.debounce import Reading
from pi_node.geometry import Box, Point, best_box
from schemas.messages import SlotPolygon

Frame: TypeAlias = npt.NDArray[np.uint8]
"""A BGR image, height x width x 3, as OpenCV and picamera2 (RGB888) deliver it."""


class DetectorError(Exception):
    """A detector that cannot run: missing weights, a broken model, an unusable frame."""


class BoxDetector(Protocol):
    """An object detector: a frame in, vehicle boxes with class and confidence out."""

    name: str

    def detect(self, frame: Frame) -> list[Box]:
        """The boxes of the configured classes above the configured confidence."""
        ...


class SlotScorer(Protocol):
    """What the node loop needs: one frame in, one occupancy reading per slot out."""

    name: str
    threshold: float

    def score(self, frame: Frame) -> dict[str, Reading]:
        """A reading for every slot of the slot map."""
        ...


def _polygon(slot: SlotPolygon) -> list[Point]:
    return [(float(x), float(y)) for x, y in slot.polygon]


class BoxScorer:
    """Maps a box detector's output onto slot polygons: overlap share is the score."""

    def __init__(self, detector: BoxDetector, slots: Sequence[SlotPolygon], min_overlap: float):
        self.name = detector.name
        self.threshold = min_overlap
        self._detector = detector
        self._polygons = {slot.slot_id: _polygon(slot) for slot in slots}
        self._bounds = {
            slot_id: (
                min(x for x, _ in polygon),
                min(y for _, y in polygon),
                max(x for x, _ in polygon),
                max(y for _, y in polygon),
            )
            for slot_id, polygon in self._polygons.items()
        }

    def score(self, frame: Frame) -> dict[str, Reading]:
        """Per slot: the best box's coverage, and how sure we are of the verdict it implies."""
        return self.readings(self._detector.detect(frame))

    def readings(self, boxes: list[Box]) -> dict[str, Reading]:
        """The readings the given boxes imply (pure; the benchmark times it alone)."""
        readings: dict[str, Reading] = {}
        for slot_id, polygon in self._polygons.items():
            left, top, right, bottom = self._bounds[slot_id]
            # A cheap bounding-box test spares the exact clipping for far-away boxes.
            near = [
                b for b in boxes if b.x1 < right and b.x2 > left and b.y1 < bottom and b.y2 > top
            ]
            overlap, box = best_box(near, polygon)
            if box is not None and overlap >= self.threshold:
                confidence = box.confidence
            else:
                # Free: the less any box reaches into the slot, the surer we are.
                confidence = 1.0 - min(1.0, overlap / self.threshold) * 0.5
            readings[slot_id] = Reading(overlap, confidence)
        return readings


def as_frame(image: Any) -> Frame:
    """Check that `image` is an 8-bit 3-channel image, or raise `DetectorError`."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
        raise DetectorError(f"frame must be a uint8 numpy array, got {type(image).__name__}")
    if image.ndim != 3 or image.shape[2] != 3 or image.shape[0] < 8 or image.shape[1] < 8:
        raise DetectorError(f"frame must be HxWx3 (at least 8x8), got shape {image.shape}")
    return image
