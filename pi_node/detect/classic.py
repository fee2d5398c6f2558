"""The `classic` backend: OpenCV only, no model; per-slot change against an empty-lot image.

With an empty-lot reference image, a pixel is foreground where its grey level changed
(after a global brightness correction, so a passing cloud does not fill the lot) or where
a new edge appeared (an asphalt-grey car still has outlines, windows and wheels).
Foreground is closed into blobs, holes filled and specks dropped; a slot's score is the
share of its area under a blob, the image-space twin of a detector box's overlap.

Without a reference, only texture is left: the share of the slot near an edge. Empty
asphalt is smooth, a car is busy; this is the weaker fallback.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import cv2
import numpy as np
import numpy.typing as npt

from pi_node.debounce import Reading
from pi_node.detect.base import DetectorError, Frame, as_frame
from schemas.messages import ClassicDetectorConfig, SlotPolygon

GreyImage = npt.NDArray[np.uint8]
Mask = npt.NDArray[np.bool_]

DIFF_LEVEL: Final = 30  # grey levels: below this a pixel counts as unchanged (sensor noise)
MASK_INSET_PX: Final = 6  # keep painted slot lines out of the slot's own statistics
MIN_BLOB_SHARE: Final = 0.0005  # blobs smaller than this share of the frame are noise
_CLOSE: Final = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9))
_GROW: Final = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (11, 11))
# Without a reference, "near an edge" reaches further: a car's outline must cover its body.
_TEXTURE_GROW: Final = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (21, 21))


@dataclass(frozen=True, slots=True)
class _SlotRegion:
    slot_id: str
    rows: slice
    cols: slice
    mask: Mask


def grey(frame: Frame) -> GreyImage:
    """Blurred grey image: the common input of every feature."""
    return np.asarray(
        cv2.GaussianBlur(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), (5, 5), 0), dtype=np.uint8
    )


def edge_map(image: GreyImage) -> GreyImage:
    """Canny edges (0 or 255)."""
    return np.asarray(cv2.Canny(image, 50, 150), dtype=np.uint8)


def _grow(mask: GreyImage, kernel: npt.NDArray[Any] = _GROW) -> GreyImage:
    return np.asarray(cv2.dilate(mask, kernel), dtype=np.uint8)


def blobs(raw: GreyImage) -> Mask:
    """Close foreground pixels into blobs, fill their holes and drop specks."""
    closed = cv2.morphologyEx(raw, cv2.MORPH_CLOSE, _CLOSE)
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    min_area = MIN_BLOB_SHARE * raw.shape[0] * raw.shape[1]
    kept = [contour for contour in contours if cv2.contourArea(contour) >= min_area]
    filled = np.zeros_like(raw)
    cv2.drawContours(filled, kept, -1, 255, thickness=cv2.FILLED)
    return np.asarray(filled > 0)


def _region(slot: SlotPolygon, shape: tuple[int, int]) -> _SlotRegion:
    mask: GreyImage = np.zeros(shape, dtype=np.uint8)
    points = np.array([[round(x), round(y)] for x, y in slot.polygon], dtype=np.int32)
    cv2.fillPoly(mask, [points], 255)
    kernel = np.ones((2 * MASK_INSET_PX + 1, 2 * MASK_INSET_PX + 1), np.uint8)
    inset = np.asarray(cv2.erode(mask, kernel), dtype=np.uint8)
    if inset.any():  # a tiny slot would vanish; keep it whole then
        mask = inset
    x, y, w, h = cv2.boundingRect(mask)
    rows, cols = slice(y, y + max(h, 1)), slice(x, x + max(w, 1))
    return _SlotRegion(slot.slot_id, rows, cols, mask[rows, cols] > 0)


def confidence_of(score: float, threshold: float) -> float:
    """0.5 at the threshold, rising to 1.0 at either end of the score range."""
    span = max(threshold, 1.0 - threshold, 1e-6)
    return 0.5 + 0.5 * min(1.0, abs(score - threshold) / span)


class ClassicScorer:
    """Scores each slot from image statistics; `threshold` is the configured share."""

    def __init__(self, config: ClassicDetectorConfig, slots: Sequence[SlotPolygon]) -> None:
        self.threshold = config.threshold
        self._slots = list(slots)
        self._reference: Frame | None = None
        if config.reference is not None:
            image = cv2.imread(config.reference, cv2.IMREAD_COLOR)
            if image is None:
                raise DetectorError(f"cannot read reference image {config.reference}")
            self._reference = np.asarray(image, dtype=np.uint8)
        self.name = "classic:reference" if self._reference is not None else "classic:edges"
        self._shape: tuple[int, int] | None = None
        self._regions: list[_SlotRegion] = []
        self._ref_grey: GreyImage | None = None
        self._ref_edges: GreyImage | None = None

    def _prepare(self, shape: tuple[int, int]) -> None:
        """Masks and reference images for this frame size (again if the size changes)."""
        self._shape = shape
        self._regions = [_region(slot, shape) for slot in self._slots]
        if self._reference is None:
            return
        reference = self._reference
        if reference.shape[:2] != shape:
            reference = np.asarray(cv2.resize(reference, (shape[1], shape[0])), dtype=np.uint8)
        self._ref_grey = grey(reference)
        self._ref_edges = _grow(edge_map(self._ref_grey))

    def foreground(self, frame: Frame) -> Mask:
        """Where the frame shows something that is not the (empty) lot."""
        frame = as_frame(frame)
        if frame.shape[:2] != self._shape:
            self._prepare((frame.shape[0], frame.shape[1]))
        image = grey(frame)
        edges = edge_map(image)
        if self._ref_grey is None or self._ref_edges is None:
            return np.asarray(_grow(edges, _TEXTURE_GROW) > 0)
        shift = round(float(image.mean()) - float(self._ref_grey.mean()))
        diff = np.abs(image.astype(np.int16) - self._ref_grey.astype(np.int16) - shift)
        new_edges = (edges > 0) & (self._ref_edges == 0)
        raw = ((diff > DIFF_LEVEL) | new_edges).astype(np.uint8) * 255
        return blobs(raw)

    def score(self, frame: Frame) -> dict[str, Reading]:
        """A reading per slot: the share of its area that is foreground."""
        foreground = self.foreground(frame)
        readings: dict[str, Reading] = {}
        for region in self._regions:
            inside = foreground[region.rows, region.cols][region.mask]
            value = float(inside.mean()) if inside.size else 0.0
            readings[region.slot_id] = Reading(value, confidence_of(value, self.threshold))
        return readings
