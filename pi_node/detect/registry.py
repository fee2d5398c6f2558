"""Backend selection: `detector.backend` -> a `SlotScorer` for the node's slot map."""

from typing import assert_never

from pi_node.detect.base import BoxScorer, SlotScorer
from pi_node.detect.classic import ClassicScorer
from schemas.messages import (
    ClassicDetectorConfig,
    NodeConfig,
    OnnxDetectorConfig,
    YoloDetectorConfig,
)


def build_scorer(config: NodeConfig, threads: int = 0) -> SlotScorer:
    """The scorer for this node's detector backend and slot map (raises `DetectorError`)."""
    detector = config.detector
    overlap = config.occupancy.min_overlap
    # The heavy runtimes (onnxruntime, ultralytics/torch) are imported only when chosen.
    match detector:
        case OnnxDetectorConfig():
            from pi_node.detect.onnx import OnnxDetector  # noqa: PLC0415

            return BoxScorer(OnnxDetector(detector, threads), config.slots, overlap)
        case YoloDetectorConfig():
            from pi_node.detect.ultra import UltralyticsDetector  # noqa: PLC0415

            return BoxScorer(UltralyticsDetector(detector), config.slots, overlap)
        case ClassicDetectorConfig():
            return ClassicScorer(detector, config.slots)
        case _:
            assert_never(detector)
