"""The Raspberry Pi camera through picamera2 (imported only when `source: picamera2`)."""

import importlib
from typing import Any

import numpy as np

from pi_node.camera.base import CameraError
from pi_node.detect.base import Frame

FRAME_SIZE = (1280, 720)


class PiCameraSource:
    """picamera2 in a video configuration; RGB888 arrives in OpenCV's BGR byte order."""

    def __init__(self) -> None:
        try:
            module = importlib.import_module("picamera2")
        except ImportError as exc:
            raise CameraError("source 'picamera2' needs the picamera2 package (apt)") from exc
        try:
            self._camera: Any = module.Picamera2()
            config = self._camera.create_video_configuration(
                main={"format": "RGB888", "size": FRAME_SIZE}
            )
            self._camera.configure(config)
            self._camera.start()
        except Exception as exc:  # picamera2 raises bare RuntimeErrors and libcamera errors
            raise CameraError(f"cannot start the Pi camera: {exc}") from exc

    def read(self) -> Frame:
        """Capture one frame from the main stream."""
        try:
            return np.asarray(self._camera.capture_array("main"), dtype=np.uint8)
        except Exception as exc:  # see __init__
            raise CameraError(f"Pi camera capture failed: {exc}") from exc

    def close(self) -> None:
        """Stop and release the camera."""
        try:
            self._camera.stop()
            self._camera.close()
        except Exception:  # noqa: BLE001 - closing a broken camera must not raise
            return
