"""The yolo backend with a network built from its YAML definition (no weights)."""

import importlib.util

import numpy as np
import pytest

from pi_node.detect.ultra import UltralyticsDetector
from schemas.messages import YoloDetectorConfig

# torch from PyPI brings multi-GB CUDA wheels, so the dev environment leaves it out; the
# `yolo` extra installs it where this backend is wanted, and there this test runs.
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("ultralytics") is None,
    reason="ultralytics/torch not installed (pip install '.[yolo]' to run this test)",
)


def test_untrained_model_runs_and_returns_wanted_classes_only() -> None:
    config = YoloDetectorConfig(backend="yolo", weights="yolov8n.yaml", min_confidence=0.0)
    detector = UltralyticsDetector(config)
    boxes = detector.detect(np.zeros((480, 640, 3), dtype=np.uint8))
    assert all(box.label in set(config.classes) for box in boxes)
    assert detector.name == "yolo:yolov8n"
