"""YOLOv8 pre- and post-processing for exported models: letterbox, decode, NMS (numpy only).

An exported YOLOv8 detector emits one tensor of shape (1, 4 + classes, anchors): per
anchor a box centre, width and height in input pixels followed by one score per class
(no objectness column, unlike YOLOv5). Everything here is pure and table-tested.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Final

import cv2
import numpy as np
import numpy.typing as npt

from pi_node.geometry import Box

FloatArray = npt.NDArray[np.float32]
PAD_VALUE: Final = 114  # the grey ultralytics pads with; the model was trained on it


@dataclass(frozen=True, slots=True)
class Letterbox:
    """How a frame was scaled and padded into the model input, to map boxes back."""

    scale: float
    pad_x: float
    pad_y: float
    width: int
    height: int

    def to_frame(self, xyxy: FloatArray) -> FloatArray:
        """Input-pixel boxes -> frame-pixel boxes, clipped to the frame."""
        out = xyxy.copy()
        out[:, [0, 2]] = (out[:, [0, 2]] - self.pad_x) / self.scale
        out[:, [1, 3]] = (out[:, [1, 3]] - self.pad_y) / self.scale
        out[:, [0, 2]] = out[:, [0, 2]].clip(0, self.width)
        out[:, [1, 3]] = out[:, [1, 3]].clip(0, self.height)
        return out


def letterbox(
    frame: npt.NDArray[np.uint8], size: tuple[int, int]
) -> tuple[npt.NDArray[np.uint8], Letterbox]:
    """Resize keeping the aspect ratio and pad to `size` (height, width), centred."""
    height, width = frame.shape[:2]
    target_h, target_w = size
    scale = min(target_h / height, target_w / width)
    new_w, new_h = round(width * scale), round(height * scale)
    resized = cv2.resize(frame, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
    pad_x, pad_y = (target_w - new_w) / 2, (target_h - new_h) / 2
    top, left = round(pad_y - 0.1), round(pad_x - 0.1)
    padded = cv2.copyMakeBorder(
        resized,
        top,
        target_h - new_h - top,
        left,
        target_w - new_w - left,
        cv2.BORDER_CONSTANT,
        value=(PAD_VALUE, PAD_VALUE, PAD_VALUE),
    )
    return np.asarray(padded, dtype=np.uint8), Letterbox(scale, left, top, width, height)


def to_tensor(image: npt.NDArray[np.uint8]) -> FloatArray:
    """BGR HxWx3 uint8 -> RGB 1x3xHxW float32 in 0..1, the exported model's input."""
    rgb = image[:, :, ::-1].transpose(2, 0, 1)
    return np.ascontiguousarray(rgb, dtype=np.float32)[None] / np.float32(255.0)


def iou(box: FloatArray, others: FloatArray) -> FloatArray:
    """Intersection over union of one xyxy box with each of `others`."""
    x1 = np.maximum(box[0], others[:, 0])
    y1 = np.maximum(box[1], others[:, 1])
    x2 = np.minimum(box[2], others[:, 2])
    y2 = np.minimum(box[3], others[:, 3])
    inter = (x2 - x1).clip(0) * (y2 - y1).clip(0)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    union = area + areas - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0).astype(np.float32)


def nms(
    xyxy: FloatArray,
    scores: FloatArray,
    class_ids: npt.NDArray[np.intp],
    iou_threshold: float,
    max_detections: int = 300,
) -> list[int]:
    """Greedy per-class non-maximum suppression; indices of the kept boxes, best first."""
    # Offsetting each class far apart makes one pass suppress only within a class.
    offset = class_ids.astype(np.float32)[:, None] * np.float32(1e5)
    shifted = xyxy + offset
    order = np.argsort(-scores, kind="stable")
    kept: list[int] = []
    while order.size and len(kept) < max_detections:
        best = int(order[0])
        kept.append(best)
        rest = order[1:]
        order = rest[iou(shifted[best], shifted[rest]) <= iou_threshold]
    return kept


def _anchors_last(output: npt.NDArray[np.float32], num_classes: int) -> FloatArray:
    """The prediction as (4 + classes, anchors), whichever way round the model emits it."""
    pred = np.asarray(output, dtype=np.float32)
    if pred.ndim == 3:
        if pred.shape[0] != 1:
            raise ValueError(f"expected a batch of one, got output shape {output.shape}")
        pred = pred[0]
    channels = 4 + num_classes
    if pred.ndim == 2 and pred.shape[0] == channels:
        return pred
    if pred.ndim == 2 and pred.shape[1] == channels:
        return np.ascontiguousarray(pred.T)
    raise ValueError(f"output shape {output.shape} does not fit {num_classes} classes")


def decode(
    output: npt.NDArray[np.float32],
    names: Sequence[str],
    wanted: Collection[str],
    min_confidence: float,
    iou_threshold: float = 0.45,
) -> tuple[FloatArray, FloatArray, list[str]]:
    """Raw YOLOv8 output -> kept boxes (xyxy, input pixels), scores and class names."""
    pred = _anchors_last(output, len(names))
    class_scores = pred[4:]
    class_ids = class_scores.argmax(axis=0)
    scores = class_scores[class_ids, np.arange(class_scores.shape[1])]
    wanted_ids = np.array([i for i, name in enumerate(names) if name in wanted], dtype=np.intp)
    keep = (scores >= min_confidence) & np.isin(class_ids, wanted_ids)
    cx, cy, w, h = pred[0, keep], pred[1, keep], pred[2, keep], pred[3, keep]
    xyxy = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1).astype(np.float32)
    scores, class_ids = scores[keep], class_ids[keep]
    kept = nms(xyxy, scores, class_ids, iou_threshold)
    return xyxy[kept], scores[kept], [names[int(class_ids[i])] for i in kept]


def to_boxes(xyxy: FloatArray, scores: FloatArray, labels: Sequence[str]) -> list[Box]:
    """Arrays -> `Box` values."""
    return [
        Box(float(a), float(b), float(c), float(d), label, float(score))
        for (a, b, c, d), score, label in zip(xyxy.tolist(), scores.tolist(), labels, strict=True)
    ]
