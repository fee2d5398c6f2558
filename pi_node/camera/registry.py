"""`camera.source` -> a frame source, by the form of the string."""

import re
from pathlib import Path
from typing import Final

from pi_node.camera.base import CameraError, FrameSource
from pi_node.camera.images import ImageFolderSource
from pi_node.camera.opencv import OpenCvSource

_STREAM: Final = re.compile(r"^(rtsp|rtsps|http|https)://", re.IGNORECASE)
_DEVICE_INDEX: Final = re.compile(r"^\d{1,2}$")


def open_source(source: str) -> FrameSource:
    """Open the frame source a config names (raises `CameraError` when it cannot)."""
    if source == "picamera2":
        from pi_node.camera.picamera import PiCameraSource  # noqa: PLC0415 - Pi only

        return PiCameraSource()
    if _STREAM.match(source):
        return OpenCvSource(source)
    if _DEVICE_INDEX.match(source):
        return OpenCvSource(int(source))
    path = Path(source)
    if source.startswith("/dev/"):
        return OpenCvSource(source)
    if path.is_dir():
        return ImageFolderSource(path)
    if path.is_file():
        return OpenCvSource(source, loop=True)
    raise CameraError(f"camera source {source!r} is no device, stream URL, file or folder")
