"""Camera-node benchmark: per-frame cost of each detector backend at 640x480, the
occupancy/debounce stage, and the simulator's sustained publish rate through a real broker.

    .venv/bin/python -m bench.node [--frames 200] [--sim-seconds 5]

Every figure is printed beside a baseline measured in the same run (the grey conversion
every backend starts with), so numbers from different machines can be compared.
No weights exist on this machine: the `onnx` row runs a generated model that has the
real YOLOv8n input and output shapes (1x3x640x640 -> 1x84x8400) but no layers, so it
measures our pre/post-processing (letterbox, tensor, decode, NMS) plus onnxruntime's
call overhead, not the network itself.
"""

import argparse
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np

from pi_node.debounce import Debouncer, Thresholds
from pi_node.detect.base import BoxScorer
from pi_node.detect.classic import ClassicScorer
from pi_node.detect.onnx import OnnxDetector
from pi_node.geometry import Box
from pi_node.settings import NodeSettings
from pi_node.sim.layout import grid_polygons
from pi_node.sim.runner import SimOptions, Simulator, VirtualNode
from schemas.messages import (
    CameraConfig,
    ClassicDetectorConfig,
    NodeConfig,
    OnnxDetectorConfig,
    SlotPolygon,
)
from tests.support.mosquitto import running_mosquitto
from tests.unit.pi_node.scenes import draw_lot, slot_polygons
from tests.unit.pi_node.yolo_model import write_model

WIDTH, HEIGHT = 640, 480


def timed(name: str, run: Callable[[], object], frames: int) -> tuple[str, float, float, float]:
    """(name, frames/s, p50 ms, p99 ms) over `frames` calls after a short warm-up."""
    for _ in range(min(10, frames)):
        run()
    samples = []
    for _ in range(frames):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return name, 1000 / statistics.fmean(samples), statistics.median(samples), p99


def many_slots(count: int) -> list[SlotPolygon]:
    """`count` slots spread over a 640x480 frame."""
    return [
        SlotPolygon(slot_id=f"S{i:04d}", polygon=[(x / 2, y / 2) for x, y in polygon])
        for i, polygon in enumerate(grid_polygons(count))
    ]


def detector_rows(frames: int, workdir: Path) -> list[tuple[str, float, float, float]]:
    scene = draw_lot({0: 0, 2: 0, 5: 0}, seed=1)
    reference = workdir / "empty.png"
    cv2.imwrite(str(reference), draw_lot(seed=2))
    with_reference = ClassicScorer(
        ClassicDetectorConfig(backend="classic", reference=str(reference)), slot_polygons()
    )
    edges_only = ClassicScorer(ClassicDetectorConfig(backend="classic"), slot_polygons())
    output = np.zeros((1, 84, 8400), dtype=np.float32)
    rng = np.random.default_rng(0)
    output[0, :4] = rng.uniform(20, 600, (4, 8400))
    output[0, 4:] = rng.uniform(0, 0.1, (80, 8400))  # the usual sea of weak candidates...
    strong = rng.choice(8400, 60, replace=False)  # ...and some overlapping real ones
    output[0, 4 + rng.integers(0, 80, 60), strong] = rng.uniform(0.3, 0.9, 60)
    model = write_model(workdir / "yolov8n-shaped.onnx", output, size=640, names=None)
    onnx = OnnxDetector(OnnxDetectorConfig(backend="onnx", weights=str(model), min_confidence=0.25))
    return [
        timed("baseline: BGR->grey", lambda: cv2.cvtColor(scene, cv2.COLOR_BGR2GRAY), frames),
        timed("classic (reference)", lambda: with_reference.score(scene), frames),
        timed("classic (edges only)", lambda: edges_only.score(scene), frames),
        timed("onnx pre/post + ORT call", lambda: onnx.detect(scene), frames),
    ]


class _Fixed:
    """A box detector that returns the same boxes for every frame."""

    name = "fixed"

    def __init__(self, boxes: list[Box]) -> None:
        self.boxes = boxes

    def detect(self, _frame: object) -> list[Box]:
        return self.boxes


def stage_row(count: int, frames: int) -> tuple[str, float, float, float]:
    """Box -> slot mapping and debouncing for `count` slots and 30 boxes."""
    slots = many_slots(count)
    spots = ((i * 29 % 580, i * 17 % 440) for i in range(30))
    boxes = [Box(x, y, x + 60, y + 40, "car", 0.9) for x, y in spots]
    scorer = BoxScorer(_Fixed(boxes), slots, 0.35)
    debouncer = Debouncer([s.slot_id for s in slots], Thresholds(0.35, 0.25), 3)
    now = datetime.now(UTC)
    name = f"occupancy+debounce, {count} slots, 30 boxes"
    return timed(name, lambda: debouncer.observe(scorer.readings(boxes), now), frames)


def simulator_rate(seconds: float, nodes: int, slots: int) -> str:
    """Events/s that `nodes` virtual nodes publish (and get PUBACKed) through Mosquitto."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-mqtt-") as broker_dir,
        tempfile.TemporaryDirectory() as state,
        running_mosquitto(Path(broker_dir)) as broker,
    ):
        settings = NodeSettings(MQTT_URL=broker.url, state_dir=Path(state))
        virtual = [
            VirtualNode(
                NodeConfig(
                    node_id=f"bench-{n}",
                    lot_id="bench",
                    camera=CameraConfig(source="simulator"),
                    detector=ClassicDetectorConfig(backend="classic"),
                    slots=many_slots(slots),
                ),
                settings,
                Path(state),
            )
            for n in range(nodes)
        ]
        stop = threading.Event()
        threads = [threading.Thread(target=v.link.run, args=(stop,)) for v in virtual]
        for thread in threads:
            thread.start()
        for v in virtual:
            v.link.connected.wait(10)
        options = SimOptions(speedup=7200.0, max_rate=1e6, noise=0.02, seed=1)
        simulator = Simulator(virtual, options)
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            simulator.run_once()
        elapsed = time.monotonic() - started
        buffered = sum(len(v.outbox) for v in virtual)
        stop.set()
        for thread in threads:
            thread.join()
    emitted = simulator.emitted
    return (
        f"simulator: {nodes} nodes x {slots} slots, unbounded rate, {elapsed:.1f} s: "
        f"{emitted / elapsed:,.0f} events/s emitted, "
        f"{(emitted - buffered) / elapsed:,.0f} events/s PUBACKed by Mosquitto"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--sim-seconds", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        rows = detector_rows(args.frames, Path(workdir))
    rows += [stage_row(count, args.frames * 5) for count in (12, 200)]
    print(f"{'stage (640x480 frame)':46} {'frames/s':>10} {'p50 ms':>8} {'p99 ms':>8}")  # noqa: T201
    for name, fps, p50, p99 in rows:
        print(f"{name:46} {fps:10.1f} {p50:8.2f} {p99:8.2f}")  # noqa: T201
    print(simulator_rate(args.sim_seconds, nodes=20, slots=100))  # noqa: T201


if __name__ == "__main__":
    main()
