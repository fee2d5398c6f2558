"""The camera node loop on synthetic scenes: debounced events, camera failures, new maps."""

from collections.abc import Iterator
from pathlib import Path

import cv2
import pytest

from pi_node.backoff import Backoff
from pi_node.camera import CameraError, FrameSource, RetryingCamera
from pi_node.core import NodeCore
from pi_node.detect import Frame
from pi_node.node import CameraNode
from pi_node.outbox import Outbox
from pi_node.settings import NodeSettings
from schemas.enums import DetectedStatus
from schemas.messages import OccupancyEvent, to_payload
from schemas.topics import NodeTopicKind
from tests.unit.pi_node.factories import node_config
from tests.unit.pi_node.scenes import draw_lot

OCC, FREE, UNK = DetectedStatus.OCCUPIED, DetectedStatus.FREE, DetectedStatus.UNKNOWN


class Script:
    """A frame source playing a list of scenes; None in the list is a camera failure."""

    def __init__(self, frames: list[Frame | None]) -> None:
        self._frames: Iterator[Frame | None] = iter(frames)

    def read(self) -> Frame:
        frame = next(self._frames)
        if frame is None:
            raise CameraError("cable pulled")
        return frame

    def close(self) -> None:
        return None


@pytest.fixture
def reference(tmp_path: Path) -> str:
    path = tmp_path / "empty.png"
    cv2.imwrite(str(path), draw_lot(seed=11))
    return str(path)


def make_node(
    tmp_path: Path, reference: str, frames: list[Frame | None], camera_unknown_after_s: float = 60
) -> tuple[CameraNode, NodeCore]:
    config = node_config(detector={"backend": "classic", "reference": reference})
    core = NodeCore(config, Outbox(tmp_path / "o.sqlite3", 1000))
    script = Script(frames)

    def source(_name: str) -> FrameSource:
        return script

    node_settings = NodeSettings(camera_unknown_after_s=camera_unknown_after_s)
    return CameraNode(core, node_settings, source_factory=source), core


def published(core: NodeCore) -> list[tuple[str, DetectedStatus]]:
    events = [OccupancyEvent.model_validate_json(p.payload) for p in core._outbox.pending(0, 999)]
    return [(e.slot_id, e.status) for e in events]


def test_start_up_publishes_the_full_state_once(tmp_path: Path, reference: str) -> None:
    scene = draw_lot({0: 0, 2: 0}, seed=1)
    node, core = make_node(tmp_path, reference, [scene] * 5)
    assert node.step() == []  # confirm_frames is 2
    assert len(node.step()) == 6
    assert node.step() == []
    assert node.step() == []
    assert sorted(published(core)) == [
        ("A01", OCC), ("A02", FREE), ("A03", OCC), ("A04", FREE), ("A05", FREE), ("A06", FREE)
    ]  # fmt: skip
    assert core.detector == "classic:reference"


def test_a_passer_by_yields_nothing_and_a_parking_car_one_event(
    tmp_path: Path, reference: str
) -> None:
    empty = draw_lot(seed=2)
    passer = draw_lot({3: 0}, seed=3)  # a car driving through, seen in one frame
    parked = draw_lot({4: 0}, seed=4)
    frames = [empty, empty, passer, empty, parked, parked, parked, parked]
    node, core = make_node(tmp_path, reference, list(frames))
    for _ in frames:
        node.step()
    assert published(core)[6:] == [("A05", OCC)]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_camera_failure_never_raises_and_goes_unknown_after_a_while(
    tmp_path: Path, reference: str
) -> None:
    scene = draw_lot({1: 0}, seed=5)
    script = Script([scene, scene, None, None, None, scene, scene])
    node, core = make_node(tmp_path, reference, [], camera_unknown_after_s=25)
    clock = Clock()
    node.camera = RetryingCamera(lambda: script, Backoff(10.0, 10.0), clock)
    node.step(), node.step()
    assert node.health()[1] is True
    assert node.step() == []  # the failure at 0 s: no exception, no event yet
    assert node.health()[1] is False
    for now in (10.0, 20.0):  # the retries fail too
        clock.now = now
        assert node.step() == []
    clock.now = 25.0  # down for 25 s, next retry at 30 s
    assert [c.status for c in node.step()] == [UNK] * 6
    assert core.statuses()["A02"] is UNK
    clock.now = 26.0
    assert node.step() == []  # unknown only once
    clock.now = 30.0
    node.step(), node.step()  # frames again: states confirmed anew
    statuses = core.statuses()
    assert statuses["A02"] is OCC
    assert statuses["A01"] is FREE
    assert node.health()[1] is True


def test_a_new_slot_map_takes_effect_between_frames(tmp_path: Path, reference: str) -> None:
    scene = draw_lot({0: 0, 5: 0}, seed=6)
    node, core = make_node(tmp_path, reference, [scene] * 6)
    node.step(), node.step()
    new = node_config(slots=3, version=2, detector={"backend": "classic", "reference": reference})
    core.handle(NodeTopicKind.CONFIG, to_payload(new))
    assert node.step() == []  # A01 keeps its state; A04-A06 are gone
    assert set(node.pipeline.debouncer.statuses()) == {"A01", "A02", "A03"}
    assert core.statuses() == {"A01": OCC, "A02": FREE, "A03": FREE}
