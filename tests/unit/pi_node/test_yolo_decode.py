"""YOLOv8 output decoding, NMS and letterbox geometry."""

import numpy as np
import pytest

from pi_node.detect.yolo_decode import FloatArray, Letterbox, decode, iou, letterbox, nms, to_tensor
from tests.unit.pi_node.yolo_model import NAMES, yolo_output

WANTED = {"car", "truck"}


def f32(rows: list[list[float]]) -> FloatArray:
    return np.array(rows, dtype=np.float32)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([0, 0, 10, 10], [0, 0, 10, 10], 1.0),
        ([0, 0, 10, 10], [5, 0, 15, 10], 50 / 150),
        ([0, 0, 10, 10], [20, 20, 30, 30], 0.0),
        ([0, 0, 0, 0], [0, 0, 0, 0], 0.0),  # empty boxes: no division by zero
    ],
)
def test_iou(a: list[float], b: list[float], expected: float) -> None:
    assert iou(f32([a])[0], f32([b]))[0] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("boxes", "scores", "classes", "kept"),
    [
        pytest.param([[0, 0, 10, 10], [1, 1, 11, 11]], [0.9, 0.8], [0, 0], [0], id="duplicate"),
        pytest.param([[0, 0, 10, 10], [1, 1, 11, 11]], [0.7, 0.8], [0, 0], [1], id="best wins"),
        pytest.param([[0, 0, 10, 10], [1, 1, 11, 11]], [0.9, 0.8], [0, 1], [0, 1], id="by class"),
        pytest.param([[0, 0, 10, 10], [6, 0, 16, 10]], [0.9, 0.8], [0, 0], [0, 1], id="neighbours"),
        pytest.param([], [], [], [], id="nothing"),
    ],
)
def test_nms(
    boxes: list[list[float]], scores: list[float], classes: list[int], kept: list[int]
) -> None:
    xyxy = f32(boxes).reshape(-1, 4)
    result = nms(xyxy, f32([scores]).reshape(-1), np.array(classes, dtype=np.intp), 0.45)
    assert result == kept


def test_decode_filters_by_class_and_confidence_then_suppresses() -> None:
    output = yolo_output(
        [
            (32, 32, 10, 10, "car", 0.9),
            (33, 32, 10, 10, "car", 0.8),  # same car again: suppressed
            (10, 10, 6, 6, "person", 0.95),  # not a vehicle class
            (50, 50, 8, 8, "truck", 0.3),  # too unsure
            (50, 20, 8, 8, "truck", 0.6),
        ]
    )
    xyxy, scores, labels = decode(output, NAMES, WANTED, min_confidence=0.4)
    assert labels == ["car", "truck"]
    assert scores.tolist() == pytest.approx([0.9, 0.6])
    assert xyxy.tolist() == [[27, 27, 37, 37], [46, 16, 54, 24]]


def test_decode_accepts_anchors_first_layout() -> None:
    output = yolo_output([(32, 32, 10, 10, "car", 0.9)]).transpose(0, 2, 1)
    _, _, labels = decode(output, NAMES, WANTED, 0.4)
    assert labels == ["car"]


def test_decode_rejects_an_output_that_does_not_fit_the_classes() -> None:
    with pytest.raises(ValueError, match="does not fit 80 classes"):
        decode(yolo_output([]), tuple(f"c{i}" for i in range(80)), WANTED, 0.4)


def test_letterbox_pads_and_maps_back() -> None:
    frame = np.full((480, 640, 3), 200, dtype=np.uint8)
    image, box = letterbox(frame, (64, 64))
    assert image.shape == (64, 64, 3)
    assert box == Letterbox(scale=0.1, pad_x=0, pad_y=8, width=640, height=480)
    assert image[0, 0, 0] == 114
    assert image[32, 32, 0] == 200
    back = box.to_frame(f32([[27, 27, 37, 37], [-5, 0, 70, 70]]))
    assert back.ravel().tolist() == pytest.approx([270, 190, 370, 290, 0, 0, 640, 480])


def test_to_tensor_is_rgb_nchw_unit_range() -> None:
    image = np.zeros((2, 2, 3), dtype=np.uint8)
    image[..., 0] = 255  # blue in BGR
    tensor = to_tensor(image)
    assert tensor.shape == (1, 3, 2, 2)
    assert tensor.dtype == np.float32
    assert tensor[0, 2].max() == 1.0
    assert tensor[0, 0].max() == 0.0
