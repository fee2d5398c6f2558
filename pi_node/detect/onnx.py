"""The `onnx` backend: an exported YOLOv8 model run with onnxruntime (the light Pi choice)."""

import ast
import importlib
from pathlib import Path
from typing import Any

import numpy as np

from pi_node.detect.base import DetectorError, Frame, as_frame
from pi_node.detect.coco import COCO_NAMES
from pi_node.detect.yolo_decode import decode, letterbox, to_boxes, to_tensor
from pi_node.geometry import Box
from schemas.messages import OnnxDetectorConfig

DEFAULT_INPUT = 640


def class_names(metadata: dict[str, str]) -> tuple[str, ...]:
    """Class names from an ultralytics export's `names` metadata, else the COCO list."""
    raw = metadata.get("names")
    if raw is None:
        return COCO_NAMES
    try:
        parsed = ast.literal_eval(raw)  # ultralytics writes a Python dict literal
    except (ValueError, SyntaxError) as exc:
        raise DetectorError(f"model metadata 'names' is not a dict literal: {raw[:80]!r}") from exc
    if not isinstance(parsed, dict) or sorted(parsed) != list(range(len(parsed))):
        raise DetectorError("model metadata 'names' must map 0..n-1 to class names")
    return tuple(str(parsed[i]) for i in range(len(parsed)))


def _input_size(shape: list[Any]) -> tuple[int, int]:
    """(height, width) of an NCHW input; dynamic dimensions fall back to 640."""
    dims = [d if isinstance(d, int) and d > 0 else DEFAULT_INPUT for d in shape[2:4]]
    return (dims[0], dims[1]) if len(dims) == 2 else (DEFAULT_INPUT, DEFAULT_INPUT)


class OnnxDetector:
    """YOLOv8 ONNX inference on the CPU; decoding and NMS are ours (`yolo_decode`)."""

    def __init__(self, config: OnnxDetectorConfig, threads: int = 0) -> None:
        path = Path(config.weights)
        if not path.is_file():
            raise DetectorError(f"ONNX model {path} not found (weights are never downloaded)")
        ort = importlib.import_module("onnxruntime")  # only when this backend is chosen
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        try:
            self._session = ort.InferenceSession(
                str(path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise DetectorError(f"cannot load ONNX model {path}: {exc}") from exc
        model_input = self._session.get_inputs()[0]
        self._input_name: str = model_input.name
        self._size = _input_size(list(model_input.shape))
        self._names = class_names(dict(self._session.get_modelmeta().custom_metadata_map))
        self._wanted = frozenset(config.classes)
        self._min_confidence = config.min_confidence
        self.name = f"onnx:{path.stem}"[:128]

    def detect(self, frame: Frame) -> list[Box]:
        """Letterbox, infer, decode, NMS, and map the boxes back to frame pixels."""
        image, box = letterbox(as_frame(frame), self._size)
        (output, *_) = self._session.run(None, {self._input_name: to_tensor(image)})
        try:
            xyxy, scores, labels = decode(
                np.asarray(output), self._names, self._wanted, self._min_confidence
            )
        except ValueError as exc:
            raise DetectorError(f"unexpected ONNX output: {exc}") from exc
        return to_boxes(box.to_frame(xyxy), scores, labels)
