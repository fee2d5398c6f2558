"""The onnx backend end to end on a model generated here (no weights are ever downloaded)."""

from pathlib import Path

import numpy as np
import pytest

from pi_node.detect import DetectorError, build_scorer
from pi_node.detect.coco import COCO_NAMES
from pi_node.detect.onnx import OnnxDetector, class_names
from schemas.messages import NodeConfig, OnnxDetectorConfig
from tests.unit.pi_node.scenes import slot_polygons
from tests.unit.pi_node.yolo_model import write_model, yolo_output


@pytest.fixture
def model(tmp_path: Path) -> Path:
    # 64x64 input; a 640x480 frame maps to it at scale 0.1 with 8 px of padding on top.
    # Slot A01 spans x 32..128 and y 200..420 in the frame: 3.2..12.8 x 28..50 in the input.
    output = yolo_output(
        [
            (8.0, 39.0, 7.0, 20.0, "car", 0.88),  # parked in A01
            (8.5, 39.0, 7.0, 20.0, "car", 0.70),  # the same car, weaker: suppressed
            (27.0, 39.0, 3.0, 8.0, "person", 0.9),  # a pedestrian over A03: ignored
        ]
    )
    return write_model(tmp_path / "tiny.onnx", output)


def test_detects_the_car_in_frame_pixels(model: Path) -> None:
    detector = OnnxDetector(OnnxDetectorConfig(backend="onnx", weights=str(model)))
    boxes = detector.detect(np.zeros((480, 640, 3), dtype=np.uint8))
    assert [(b.label, round(b.confidence, 2)) for b in boxes] == [("car", 0.88)]
    box = boxes[0]
    assert (box.x1, box.y1, box.x2, box.y2) == pytest.approx((45, 210, 115, 410))
    assert detector.name == "onnx:tiny"


def test_scorer_maps_the_car_to_its_slot(model: Path) -> None:
    config = NodeConfig(
        node_id="n1",
        lot_id="lot",
        camera={"source": "images/"},  # type: ignore[arg-type]
        detector={"backend": "onnx", "weights": str(model)},  # type: ignore[arg-type]
        slots=slot_polygons(),
    )
    scorer = build_scorer(config)
    readings = scorer.score(np.zeros((480, 640, 3), dtype=np.uint8))
    occupied = {slot for slot, r in readings.items() if r.score >= scorer.threshold}
    assert occupied == {"A01"}
    assert readings["A01"].confidence == pytest.approx(0.88)


def test_missing_weights_fail_with_the_path(tmp_path: Path) -> None:
    config = OnnxDetectorConfig(backend="onnx", weights=str(tmp_path / "none.onnx"))
    with pytest.raises(DetectorError, match=r"none\.onnx not found"):
        OnnxDetector(config)


def test_a_broken_model_file_is_a_detector_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.onnx"
    path.write_bytes(b"not a model")
    with pytest.raises(DetectorError, match="cannot load ONNX model"):
        OnnxDetector(OnnxDetectorConfig(backend="onnx", weights=str(path)))


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ({}, COCO_NAMES),
        ({"names": "{0: 'car', 1: 'van'}"}, ("car", "van")),
    ],
)
def test_class_names(metadata: dict[str, str], expected: tuple[str, ...]) -> None:
    assert class_names(metadata) == expected


@pytest.mark.parametrize("raw", ["{0: 'car', 2: 'van'}", "['car']", "{0: car"])
def test_bad_class_names_metadata(raw: str) -> None:
    with pytest.raises(DetectorError, match="names"):
        class_names({"names": raw})
