"""A folder of still images, served in name order and cycled (replays and test scenes)."""

from pathlib import Path
from typing import Final

import cv2
import numpy as np

from pi_node.camera.base import CameraError
from pi_node.detect.base import Frame

IMAGE_SUFFIXES: Final = frozenset({".jpg", ".jpeg", ".png", ".bmp"})


class ImageFolderSource:
    """Each `read` returns the next image file of the folder, wrapping round at the end."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._files = sorted(
            path for path in folder.iterdir() if path.suffix.lower() in IMAGE_SUFFIXES
        )
        if not self._files:
            raise CameraError(f"no images ({', '.join(sorted(IMAGE_SUFFIXES))}) in {folder}")
        self._next = 0

    def read(self) -> Frame:
        """The next image; an unreadable or vanished file is a `CameraError`."""
        path = self._files[self._next]
        self._next = (self._next + 1) % len(self._files)
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            raise CameraError(f"cannot read image {path}")
        return np.asarray(image, dtype=np.uint8)

    def close(self) -> None:
        """Nothing to release."""
