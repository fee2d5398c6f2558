"""A tiny ONNX 'YOLOv8' built in the test: it ignores its input and emits a fixed tensor."""

from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnx
from onnx import TensorProto, helper, numpy_helper

NAMES = ("person", "car", "truck")


def yolo_output(
    anchors: list[tuple[float, float, float, float, str, float]],
) -> npt.NDArray[np.float32]:
    """(1, 4 + classes, anchors): one column per (cx, cy, w, h, class, score)."""
    out = np.zeros((1, 4 + len(NAMES), len(anchors)), dtype=np.float32)
    for i, (cx, cy, w, h, label, score) in enumerate(anchors):
        out[0, :4, i] = (cx, cy, w, h)
        out[0, 4 + NAMES.index(label), i] = score
    return out


def write_model(
    path: Path,
    output: npt.NDArray[np.float32],
    size: int = 64,
    names: tuple[str, ...] | None = NAMES,
) -> Path:
    """An ONNX model with input `images` [1, 3, size, size] whose output is always `output`."""
    # output = constant + 0 * sum(images): the input stays wired in, as in a real detector.
    nodes = [
        helper.make_node("Constant", [], ["fixed"], value=numpy_helper.from_array(output)),
        helper.make_node("ReduceSum", ["images"], ["total"], keepdims=0),
        helper.make_node(
            "Constant", [], ["zero"], value=numpy_helper.from_array(np.array(0, dtype=np.float32))
        ),
        helper.make_node("Mul", ["total", "zero"], ["nothing"]),
        helper.make_node("Add", ["fixed", "nothing"], ["output0"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny-yolo",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, size, size])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, list(output.shape))],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    if names is not None:  # without, the detector falls back to the 80 COCO classes
        helper.set_model_props(model, {"names": repr(dict(enumerate(names))), "task": "detect"})
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path
