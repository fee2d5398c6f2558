"""OpenCV `VideoCapture`: USB cameras (/dev/videoN or an index), RTSP/HTTP streams, files."""

from typing import Any

import cv2
import numpy as np

from pi_node.camera.base import CameraError
from pi_node.detect.base import Frame


class OpenCvSource:
    """A `VideoCapture`; a video file starts over at its end, a live source that ends fails."""

    def __init__(self, target: str | int, *, loop: bool = False) -> None:
        self._target = target
        self._loop = loop
        self._capture: Any = cv2.VideoCapture(target)
        if not self._capture.isOpened():
            self._capture.release()
            raise CameraError(f"cannot open video source {target!r}")

    def read(self) -> Frame:
        """The next frame."""
        ok, frame = self._capture.read()
        if not ok and self._loop:
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._capture.read()
        if not ok or frame is None:
            raise CameraError(f"no frame from {self._target!r} (stream ended or device lost)")
        if frame.ndim == 2:  # some USB cameras deliver grey frames
            frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
        return np.asarray(frame, dtype=np.uint8)

    def close(self) -> None:
        """Release the capture."""
        self._capture.release()
