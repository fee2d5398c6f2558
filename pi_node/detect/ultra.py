"""The `yolo` backend: an ultralytics model from a local weights file (or a model YAML)."""

import importlib
from pathlib import Path
from typing import Any

import numpy as np

from pi_node.detect.base import DetectorError, Frame, as_frame
from pi_node.geometry import Box
from schemas.messages import YoloDetectorConfig


class UltralyticsDetector:
    """Runs `ultralytics.YOLO` on the CPU; imported only when this backend is chosen."""

    def __init__(self, config: YoloDetectorConfig) -> None:
        path = Path(config.weights)
        # A .yaml model definition builds an untrained network: useful for tests only.
        if not path.is_file() and path.suffix not in {".yaml", ".yml"}:
            raise DetectorError(f"weights file {path} not found (weights are never downloaded)")
        try:
            ultralytics = importlib.import_module("ultralytics")
        except ImportError as exc:
            raise DetectorError("the yolo backend needs the 'yolo' extra (ultralytics)") from exc
        self._model: Any = ultralytics.YOLO(str(path), task="detect")
        self._wanted = frozenset(config.classes)
        self._min_confidence = config.min_confidence
        self.name = f"yolo:{path.stem}"[:128]

    def detect(self, frame: Frame) -> list[Box]:
        """One prediction; boxes of the wanted classes in frame pixels."""
        results = self._model.predict(
            as_frame(frame), conf=self._min_confidence, verbose=False, device="cpu"
        )
        boxes: list[Box] = []
        for result in results:
            names: dict[int, str] = result.names
            xyxy = np.asarray(result.boxes.xyxy.cpu(), dtype=np.float32)
            classes = np.asarray(result.boxes.cls.cpu(), dtype=np.int64)
            scores = np.asarray(result.boxes.conf.cpu(), dtype=np.float32)
            for (x1, y1, x2, y2), cls, score in zip(
                xyxy.tolist(), classes.tolist(), scores.tolist(), strict=True
            ):
                label = names.get(int(cls), str(cls))
                if label in self._wanted:
                    boxes.append(Box(x1, y1, x2, y2, label, float(score)))
        return boxes
