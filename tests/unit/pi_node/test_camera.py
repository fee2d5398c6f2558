"""Frame sources and the retrying camera: failures back off and never raise."""

from pathlib import Path

import cv2
import numpy as np
import pytest

from pi_node.backoff import Backoff
from pi_node.camera import CameraError, FrameSource, RetryingCamera, open_source
from pi_node.camera.images import ImageFolderSource
from pi_node.detect import Frame

FRAME = np.zeros((8, 8, 3), dtype=np.uint8)


@pytest.mark.parametrize(
    ("failures", "delay"), [(0, 0.0), (1, 1.0), (2, 2.0), (3, 4.0), (6, 30.0), (60, 30.0)]
)
def test_backoff(failures: int, delay: float) -> None:
    assert Backoff(1.0, 30.0).delay(failures) == delay


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Flaky:
    """A source that fails while `broken` is set, as an unplugged USB camera does."""

    opened = 0
    broken = True

    def __init__(self) -> None:
        if Flaky.broken:
            raise CameraError("no such device")
        Flaky.opened += 1

    def read(self) -> Frame:
        if Flaky.broken:
            raise OSError("device vanished")
        return FRAME

    def close(self) -> None:
        return None


def test_a_failing_camera_retries_with_backoff_and_recovers() -> None:
    Flaky.broken, Flaky.opened = True, 0
    clock = Clock()
    opener: type[FrameSource] = Flaky
    camera = RetryingCamera(opener, Backoff(1.0, 8.0), clock)
    attempts = []
    for _ in range(40):  # 10 s in quarter seconds
        before = camera.failures
        assert camera.read() is None
        if camera.failures != before:
            attempts.append(clock.now)
        clock.now += 0.25
    assert attempts == [100.0, 101.0, 103.0, 107.0]  # 1, 2, 4 s apart
    assert not camera.healthy
    assert camera.down_since == 100.0
    Flaky.broken = False
    clock.now = 115.0
    assert camera.read() is FRAME
    assert camera.healthy
    assert camera.failures == 0
    assert camera.down_since is None
    Flaky.broken = True  # unplugged mid-stream: the read fails, the source is reopened later
    assert camera.read() is None
    assert camera.seconds_until_retry() == 1.0


def test_image_folder_cycles_in_name_order(tmp_path: Path) -> None:
    for name, value in (("b.png", 2), ("a.png", 1), ("notes.txt", 0)):
        if name.endswith(".png"):
            cv2.imwrite(str(tmp_path / name), np.full((8, 8, 3), value, np.uint8))
        else:
            (tmp_path / name).write_text("x")
    source = open_source(str(tmp_path))
    assert isinstance(source, ImageFolderSource)
    assert [int(source.read()[0, 0, 0]) for _ in range(3)] == [1, 2, 1]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("/nonexistent/folder/video.mp4", "no device, stream URL, file or folder"),
        ("/dev/video99", "cannot open video source"),
    ],
)
def test_unusable_sources_raise_camera_errors(source: str, message: str) -> None:
    with pytest.raises(CameraError, match=message):
        open_source(source)


def test_an_empty_image_folder_is_a_camera_error(tmp_path: Path) -> None:
    with pytest.raises(CameraError, match="no images"):
        open_source(str(tmp_path))


def test_a_video_file_plays_and_loops(tmp_path: Path) -> None:
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 5, (64, 48))
    for value in (10, 200):
        writer.write(np.full((48, 64, 3), value, np.uint8))
    writer.release()
    source = open_source(str(path))
    means = [round(float(source.read().mean()), -1) for _ in range(3)]
    source.close()
    assert means == [10.0, 200.0, 10.0]
