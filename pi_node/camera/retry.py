"""A frame source that survives failures: reopen with exponential backoff, never raise."""

import logging
import time
from collections.abc import Callable

import cv2

from pi_node.backoff import Backoff
from pi_node.camera.base import CameraError, FrameSource
from pi_node.detect.base import Frame

log = logging.getLogger(__name__)

# What a failing camera can raise: our own error, the OS (device gone), OpenCV internals.
CAMERA_FAILURES = (CameraError, OSError, cv2.error)


class RetryingCamera:
    """Wraps a source factory; `read` returns a frame or None while the camera is down."""

    def __init__(
        self,
        opener: Callable[[], FrameSource],
        backoff: Backoff,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._opener = opener
        self._backoff = backoff
        self._clock = clock
        self._source: FrameSource | None = None
        self._retry_at = 0.0
        self.failures = 0
        self.down_since: float | None = None

    @property
    def healthy(self) -> bool:
        """Whether the last attempt delivered a frame."""
        return self._source is not None and self.failures == 0

    def down_for(self) -> float | None:
        """Seconds since the current outage began, or None while frames arrive."""
        if self.down_since is None:
            return None
        return self._clock() - self.down_since

    def seconds_until_retry(self) -> float:
        """How long until the next attempt is due (0 when it is due now)."""
        return max(0.0, self._retry_at - self._clock())

    def read(self) -> Frame | None:
        """A frame, or None when the camera failed now or its retry is not yet due."""
        now = self._clock()
        if now < self._retry_at:
            return None
        try:
            if self._source is None:
                self._source = self._opener()
            frame = self._source.read()
        except CAMERA_FAILURES as exc:
            self._fail(exc, now)
            return None
        if self.failures:
            log.info("camera recovered after %d failed attempts", self.failures)
        self.failures, self.down_since = 0, None
        return frame

    def _fail(self, exc: BaseException, now: float) -> None:
        self.close()
        self.failures += 1
        self.down_since = self.down_since if self.down_since is not None else now
        delay = self._backoff.delay(self.failures)
        self._retry_at = now + delay
        log.warning("camera failed (attempt %d): %s; retrying in %.1f s", self.failures, exc, delay)

    def close(self) -> None:
        """Release the current source, if any."""
        if self._source is not None:
            source, self._source = self._source, None
            try:
                source.close()
            except CAMERA_FAILURES as exc:
                log.debug("closing the camera failed: %s", exc)
