"""Detector backends, chosen by `detector.backend`: yolo, onnx and classic."""

from pi_node.detect.base import BoxDetector, BoxScorer, DetectorError, Frame, SlotScorer
from pi_node.detect.registry import build_scorer

__all__ = ["BoxDetector", "BoxScorer", "DetectorError", "Frame", "SlotScorer", "build_scorer"]
